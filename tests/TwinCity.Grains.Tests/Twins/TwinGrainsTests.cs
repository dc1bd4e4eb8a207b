using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>Finding a twin's grain by kind and id, the first time and from the kind's remembered types.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TwinGrainsTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    public static TheoryData<TwinKind, Type> KindsAndInterfaces => new()
    {
        { TwinKind.Streetlight, typeof(IStreetlightGrain) },
        { TwinKind.WaterMeter, typeof(IWaterMeterGrain) },
        { TwinKind.RoadSensor, typeof(IRoadSensorGrain) },
        { TwinKind.Bus, typeof(IBusGrain) },
    };

    [Theory]
    [MemberData(nameof(KindsAndInterfaces))]
    public async Task Every_lookup_gives_the_kinds_own_grain_for_that_id(TwinKind kind, Type grainInterface)
    {
        string id = "lookup-" + Guid.NewGuid().ToString("N")[..8];
        ITwinGrain first = _grains.GetTwin(kind, id);
        ITwinGrain again = _grains.GetTwin(kind, id);
        ITwinGrain other = _grains.GetTwin(kind, id + "-other");

        Assert.IsAssignableFrom(grainInterface, first);
        Assert.IsAssignableFrom(grainInterface, again);
        Assert.Equal(first, again);
        Assert.Equal(((GrainReference)_grains.GetGrain(grainInterface, id)).GrainId, ((GrainReference)again).GrainId);
        Assert.NotEqual(((GrainReference)first).GrainId, ((GrainReference)other).GrainId);

        // A call through the remembered types reaches the grain: an unprovisioned twin reads as null.
        Assert.Null(await again.GetAsync());
    }

    [Fact]
    public async Task A_cell_grain_found_by_its_integer_key_is_that_cells_grain()
    {
        ICellGrain first = _grains.Grain<ICellGrain>(1234567L);
        ICellGrain again = _grains.Grain<ICellGrain>(1234567L);

        Assert.Equal(((GrainReference)_grains.GetGrain<ICellGrain>(1234567L)).GrainId, ((GrainReference)again).GrainId);
        Assert.Equal(first, again);
        Assert.NotEqual(((GrainReference)again).GrainId, ((GrainReference)_grains.Grain<ICellGrain>(1234568L)).GrainId);
        Assert.Empty(await again.GetTwinsAsync());
    }

    [Fact]
    public async Task A_grain_found_by_its_id_through_an_interface_of_several_kinds_is_that_grain()
    {
        GrainId light = ((GrainReference)_grains.GetTwin(TwinKind.Streetlight, "by-id-" + Guid.NewGuid().ToString("N")[..8])).GrainId;
        GrainId bus = ((GrainReference)_grains.GetTwin(TwinKind.Bus, "by-id-" + Guid.NewGuid().ToString("N")[..8])).GrainId;

        ITwinGrain first = _grains.Grain<ITwinGrain>(light);
        ITwinGrain second = _grains.Grain<ITwinGrain>(bus);

        Assert.Equal(_grains.GetGrain<ITwinGrain>(light), first);
        Assert.Equal(_grains.GetGrain<ITwinGrain>(bus), second);
        Assert.Equal(light, ((GrainReference)first).GrainId);
        Assert.Equal(bus, ((GrainReference)second).GrainId);
        Assert.Null(await second.GetAsync());
    }

    [Fact]
    public void A_blank_id_or_an_unknown_kind_is_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => _grains.GetTwin(TwinKind.Streetlight, " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => _grains.GetTwin((TwinKind)9, "x"));
    }
}
