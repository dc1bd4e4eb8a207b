using Microsoft.AspNetCore.Authorization;

namespace TwinCity.Web.Auth;

/// <summary>
/// A live map viewer: a reader's key, or no key where <see cref="AccessOptions.AnonymousViewersAllowed"/>
/// (see <see cref="ViewerAuthorizationHandler"/>).
/// </summary>
public sealed class ViewerRequirement : IAuthorizationRequirement;
