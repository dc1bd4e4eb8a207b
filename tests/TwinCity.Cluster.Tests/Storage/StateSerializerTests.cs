using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using TwinCity.Cluster.Tests.Grains;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;
using TwinCity.Silo.Hosting;
using TwinCity.Silo.Storage;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Storage;

/// <summary>
/// Grain states in PostgreSQL: written in Orleans' binary form behind its marker byte, and rows an
/// earlier build wrote as JSON (Orleans' default, which the test cluster's provider still uses)
/// read as they were and written back binary, with Orleans' versions kept throughout.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class StateSerializerTests(PostgresFixture postgres, AdoNetClusterFixture fixture) : IClassFixture<AdoNetClusterFixture>
{
    private const string StateName = "format-probe";

    private static readonly DateTime Dusk = new(2026, 12, 4, 13, 58, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Rows_an_earlier_build_wrote_as_JSON_are_read_and_turn_binary_when_written_again()
    {
        await using BatchedStorageRig rig = await BatchedStorageRig.CreateAsync(postgres, fixture, static (services, json) =>
            new StateSerializer(services.GetRequiredService<Serializer>(), json, StateFormat.Binary));
        (IGrainStorage earlier, BatchedGrainStorage batched, NpgsqlDataSource dataSource) = (rig.Provider, rig.Batched, rig.DataSource);
        string key = $"format-{Guid.NewGuid():N}";
        GrainId grain = GrainId.Create("batched-probe", key);

        await earlier.WriteStateAsync(StateName, grain, new GrainState<ProbeState>(new ProbeState { Total = 41, Notes = ["written as JSON"] }));
        byte[] json = await PayloadAsync(dataSource, key);
        Assert.Equal((byte)'{', json[0]);

        var read = new GrainState<ProbeState>();
        await batched.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.Equal(41, read.State!.Total);
        Assert.Equal(["written as JSON"], read.State.Notes);

        read.State.Total = 42;
        read.State.Notes.Add("written binary");
        await batched.WriteStateAsync(StateName, grain, read);
        Assert.Equal("2", read.ETag);
        byte[] binary = await PayloadAsync(dataSource, key);
        Assert.Equal(StateSerializer.BinaryMarker, binary[0]);
        Assert.True(binary.Length < json.Length, $"binary {binary.Length} bytes, JSON {json.Length}");

        var again = new GrainState<ProbeState>();
        await batched.ReadStateAsync(StateName, grain, again);
        Assert.Equal("2", again.ETag);
        Assert.Equal(42, again.State!.Total);
        Assert.Equal(["written as JSON", "written binary"], again.State.Notes);

    }

    [Fact]
    public void A_twin_snapshot_survives_the_binary_form_whole()
    {
        Serializer binary = TwinSerializer();
        var json = new RecordingJson();
        var serializer = new StateSerializer(binary, json, StateFormat.Binary);
        var lamp = new StreetlightState
        {
            DevEui = 0x70B3D57ED0001234,
            Name = "Nizami küçəsi 12",
            Installed = new GeoPoint(40.3777, 49.8920),
            ReportingIntervalSeconds = 600,
            Version = 17,
            LastSeen = Dusk,
            FCnt = 4711,
            HasFCnt = true,
            Provisioned = true,
            Source = NetworkServer.ChirpStack,
            ApplicationId = "baku-lights",
            DeviceId = "sl-1234",
            Codec = "milesight-ws558",
            SeenBelow = 0b1011,
            Revision = 3,
            Radio = RadioSeen.From(new RadioInfo(-97, 7.25, "gw-narimanov")),
            On = new MeasuredFlag { Value = true, At = Dusk },
            Desired = [new DesiredValue(TwinProperty.On, PropertyValue.Of(true), "electricity", Dusk)],
        };

        BinaryData stored = serializer.Serialize(lamp);
        StreetlightState? back = serializer.Deserialize<StreetlightState>(stored);
        Assert.NotNull(back);

        Assert.Equal(StateSerializer.BinaryMarker, stored.ToMemory().Span[0]);
        Assert.Equal(0, json.Calls);
        Assert.Equal(lamp.DevEui, back.DevEui);
        Assert.Equal(lamp.Name, back.Name);
        Assert.Equal(lamp.Installed, back.Installed);
        Assert.Equal((lamp.Version, lamp.LastSeen, lamp.FCnt, lamp.SeenBelow, lamp.Revision), (back.Version, back.LastSeen, back.FCnt, back.SeenBelow, back.Revision));
        Assert.Equal((lamp.ApplicationId, lamp.DeviceId, lamp.Codec, lamp.Source), (back.ApplicationId, back.DeviceId, back.Codec, back.Source));
        Assert.Equal(lamp.Radio.ToInfo(), back.Radio.ToInfo());
        Assert.Equal(lamp.On.At, back.On.At);
        Assert.True(back.On.Value);
        Assert.Equal(lamp.Desired, back.Desired);
    }

    [Fact]
    public void Json_format_writes_what_an_earlier_build_reads_and_anything_unmarked_is_read_as_JSON()
    {
        var json = new RecordingJson();
        var serializer = new StateSerializer(TwinSerializer(), json, StateFormat.Json);

        BinaryData written = serializer.Serialize(new ProbeState { Total = 5 });
        Assert.Equal(1, json.Calls);
        Assert.NotEqual(StateSerializer.BinaryMarker, written.ToMemory().Span[0]);

        Assert.Equal(5, serializer.Deserialize<ProbeState>(written)!.Total);
        Assert.Equal(2, json.Calls);
    }

    [Theory]
    [InlineData(null, StateFormat.Binary)]
    [InlineData("", StateFormat.Binary)]
    [InlineData("binary", StateFormat.Binary)]
    [InlineData("Json", StateFormat.Json)]
    [InlineData(" JSON ", StateFormat.Json)]
    public void The_state_format_setting_is_read_as_written(string? value, StateFormat expected)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [ClusterHosting.StateFormatKey] = value })
            .Build();

        Assert.Equal(expected, ClusterHosting.ReadStateFormat(configuration));
    }

    [Fact]
    public void A_state_format_that_names_neither_stops_the_silo_with_the_reason()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [ClusterHosting.StateFormatKey] = "protobuf" })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => ClusterHosting.ReadStateFormat(configuration));
        Assert.Contains("Storage:StateFormat", error.Message, StringComparison.Ordinal);
        Assert.Contains("protobuf", error.Message, StringComparison.Ordinal);
    }

    private static Serializer TwinSerializer() => new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(StreetlightState).Assembly).AddAssembly(typeof(ProbeState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static async Task<byte[]> PayloadAsync(NpgsqlDataSource dataSource, string key)
    {
        await using NpgsqlCommand command = dataSource.CreateCommand(
            "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $1 AND GrainIdExtensionString = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = StateName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return (byte[])(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no row for {key}"));
    }

    /// <summary>A JSON serializer that counts its calls, for the logic of which form is used.</summary>
    private sealed class RecordingJson : IGrainStorageSerializer
    {
        public int Calls { get; private set; }

        public BinaryData Serialize<T>(T? input)
        {
            Calls++;
            return BinaryData.FromObjectAsJson(input, new System.Text.Json.JsonSerializerOptions { IncludeFields = true });
        }

        public T? Deserialize<T>(BinaryData input)
        {
            Calls++;
            return input.ToObjectFromJson<T>(new System.Text.Json.JsonSerializerOptions { IncludeFields = true });
        }
    }
}
