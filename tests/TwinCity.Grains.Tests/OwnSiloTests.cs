using Orleans.TestingHost;

namespace TwinCity.Grains.Tests;

/// <summary>
/// A test class with a one-silo cluster of its own, for behaviour that needs the silo configured
/// its own way (idle collection ages, the lone silo's storage, a long batch window) and so cannot
/// share <see cref="ClusterFixture"/>'s. <typeparamref name="TConfigurator"/> configures the silo.
/// </summary>
public abstract class OwnSiloTests<TConfigurator>() : TestSilos<TConfigurator>(1)
    where TConfigurator : ISiloConfigurator, new();
