using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Live;

/// <summary>An area a connection watches and the cells it covers.</summary>
internal sealed record WatchedArea(GeoBox Box, HashSet<long> Cells);
