using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Silo.Simulation;

namespace TwinCity.Web.Tests.Simulation;

public sealed class DeviceModelTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Bus_drives_along_its_route_and_never_leaves_the_path()
    {
        var random = new Random(7);
        SeedDevice seed = SeedFiles.First(TwinKind.Bus);
        BusRoute route = SeedFiles.Map.Routes[seed.Route!];
        var bus = new BusModel(seed, route, random);
        SimulationTime at = SeedFiles.LocalTime(2026, 5, 12, 11);
        double odometer = bus.OdometerM;
        var along = new List<double>();

        for (int i = 0; i < 10 * 60 * 10; i++)
        {
            at = SimulationTime.At(at.RealUtc + Step);
            bus.Move(Step, at, random);
            Assert.True(bus.OdometerM >= odometer, "the odometer ran backwards");
            Assert.InRange(bus.OdometerM - odometer, 0, (BusModel.MaxCruiseKmh / 3.6 * Step.TotalSeconds) + 1e-9);
            Assert.InRange(bus.SpeedKmh, 0, BusModel.MaxCruiseKmh);
            Assert.InRange(bus.AlongM, 0, route.Path.LengthM);
            odometer = bus.OdometerM;

            if (i % 50 == 0)
            {
                Assert.True(route.Path.DistanceFrom(bus.Position) < 0.5, $"the bus is {route.Path.DistanceFrom(bus.Position):F1} m off its path");

                // What the tracker reports is where the bus is (to the frame's 1e-6 degree resolution).
                DeviceFrame frame = bus.Report(at, random);
                Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.Bus, frame.Payload, frame.FPort);
                var reported = new GeoPoint(values[TwinProperty.Lat].Number, values[TwinProperty.Lon].Number);
                Assert.True(reported.DistanceTo(bus.Position) < 0.5);
                Assert.True(route.Path.DistanceFrom(reported) < 1.0);
                along.Add(bus.AlongM);
            }
        }

        // Ten minutes at 15-40 km/h with stops on the way: kilometres, not metres.
        Assert.InRange(bus.OdometerM, 1_500, 40 / 3.6 * 600);
        Assert.True(along.Distinct().Count() > along.Count / 2, "the bus barely moved between reports");
    }

    [Fact]
    public void Bus_turns_round_at_the_end_of_its_route()
    {
        var random = new Random(3);
        var path = new RoutePath([new GeoPoint(40.40, 49.85), new GeoPoint(40.40, 49.853)]);
        var route = new BusRoute("T", "Test", path, []);
        SeedDevice seed = SeedFiles.First(TwinKind.Bus) with { Position = new GeoPoint(40.40, 49.8529) };
        var bus = new BusModel(seed, route, random);
        SimulationTime at = SeedFiles.LocalTime(2026, 5, 12, 11);
        var directions = new HashSet<int>();
        for (int i = 0; i < 5 * 60 * 10; i++)
        {
            at = SimulationTime.At(at.RealUtc + Step);
            bus.Move(Step, at, random);
            directions.Add(bus.Direction);
            Assert.InRange(bus.AlongM, 0, path.LengthM);
        }

        Assert.Equal(new[] { -1, 1 }, directions.Order());
        Assert.True(bus.OdometerM > path.LengthM);
    }

    [Fact]
    public void Meter_volume_never_decreases_through_leaks_and_bursts()
    {
        var random = new Random(11);
        SeedDevice seed = SeedFiles.First(TwinKind.WaterMeter);
        var meter = new WaterMeterModel(seed, random);
        SimulationTime start = SeedFiles.LocalTime(2026, 3, 2, 0);
        double last = 0;
        bool sawLeak = false;
        bool sawBurst = false;
        double first = double.NaN;
        for (int minutes = 0; minutes < 48 * 60; minutes += 10)
        {
            SimulationTime at = SimulationTime.At(start.RealUtc.AddMinutes(minutes));
            if (minutes == 6 * 60)
            {
                meter.StartAlarm(at, TimeSpan.FromHours(3), burst: false, random);
            }

            if (minutes == 30 * 60)
            {
                meter.StartAlarm(at, TimeSpan.FromMinutes(30), burst: true, random);
            }

            DeviceFrame frame = meter.Report(at, random);
            Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.WaterMeter, frame.Payload, frame.FPort);
            Assert.InRange(meter.FlowM3h, 0, meter.Burst ? 10 : WaterMeterModel.MaxHouseholdFlowM3h + 0.1);
            sawLeak |= values[TwinProperty.Leak].AsBool;
            sawBurst |= values[TwinProperty.Burst].AsBool;
            if (values.TryGetValue(TwinProperty.VolumeM3, out PropertyValue volume))
            {
                Assert.True(volume.Number >= last, $"volume fell from {last} to {volume.Number} m3");
                last = volume.Number;
                first = double.IsNaN(first) ? volume.Number : first;
            }
        }

        Assert.True(sawLeak && sawBurst);
        Assert.True(last > first, "two days without any consumption");
    }

    [Fact]
    public void Meter_raises_an_alarm_frame_when_a_leak_starts_then_reports_it_in_its_readings()
    {
        var random = new Random(5);
        SeedDevice seed = SeedFiles.First(TwinKind.WaterMeter);
        var meter = new WaterMeterModel(seed, random);
        SimulationTime at = SeedFiles.LocalTime(2026, 3, 2, 3);
        Assert.Equal(AxiomaQalcosonicW1Codec.DataPort, meter.Report(at, random).FPort);

        meter.StartAlarm(at, TimeSpan.FromHours(1), burst: false, random);
        DeviceFrame alarm = meter.Report(SimulationTime.At(at.RealUtc.AddMinutes(1)), random);
        DeviceFrame next = meter.Report(SimulationTime.At(at.RealUtc.AddMinutes(2)), random);

        Assert.Equal(AxiomaQalcosonicW1Codec.AlarmPort, alarm.FPort);
        Assert.True(FrameDecoding.Decode(seed.Codec, TwinKind.WaterMeter, alarm.Payload, alarm.FPort)[TwinProperty.Leak].AsBool);
        Assert.Equal(AxiomaQalcosonicW1Codec.DataPort, next.FPort);
        Assert.True(FrameDecoding.Decode(seed.Codec, TwinKind.WaterMeter, next.Payload, next.FPort)[TwinProperty.Leak].AsBool);
    }

    [Fact]
    public void Traffic_at_eight_in_the_morning_outnumbers_three_at_night_and_is_slower()
    {
        SeedDevice seed = SeedFiles.First(TwinKind.RoadSensor, "twincity-traffic-v1");
        (double rushCount, double rushSpeed, double rushOccupancy) = Average(seed, SeedFiles.LocalTime(2026, 5, 12, 8));
        (double nightCount, double nightSpeed, double nightOccupancy) = Average(seed, SeedFiles.LocalTime(2026, 5, 12, 3));

        Assert.True(rushCount > 5 * nightCount, $"08:00 {rushCount:F0} vehicles, 03:00 {nightCount:F0}");
        Assert.True(rushOccupancy > nightOccupancy);
        Assert.True(rushSpeed < nightSpeed, $"08:00 {rushSpeed:F1} km/h, 03:00 {nightSpeed:F1} km/h");
    }

    [Fact]
    public void Incident_slows_the_road_and_raises_the_flag()
    {
        var random = new Random(2);
        SeedDevice seed = SeedFiles.First(TwinKind.RoadSensor, "twincity-traffic-v1");
        var counter = new TrafficCounterModel(seed, random);
        SimulationTime at = SeedFiles.LocalTime(2026, 5, 12, 12);
        counter.StartIncident(at, TimeSpan.FromMinutes(5));

        DeviceFrame during = counter.Report(at, random);
        Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.RoadSensor, during.Payload, during.FPort);
        DeviceFrame after = counter.Report(SimulationTime.At(at.RealUtc.AddMinutes(6)), random);

        Assert.True(values[TwinProperty.Incident].AsBool);
        Assert.True(values[TwinProperty.MeanSpeedKmh].Number < 15);
        Assert.False(FrameDecoding.Decode(seed.Codec, TwinKind.RoadSensor, after.Payload, after.FPort)[TwinProperty.Incident].AsBool || counter.Incident);
    }

    [Fact]
    public void Lights_are_on_at_night_and_off_by_day_and_count_their_energy()
    {
        var random = new Random(1);
        SeedDevice seed = SeedFiles.First(TwinKind.Streetlight);
        var lamp = new StreetlightModel(seed, random);
        SimulationTime start = SeedFiles.LocalTime(2026, 6, 21, 0);
        double energy = 0;
        double firstEnergy = double.NaN;
        var onAt = new Dictionary<int, bool>();
        for (int minutes = 0; minutes < 24 * 60; minutes += 15)
        {
            SimulationTime at = SimulationTime.At(start.RealUtc.AddMinutes(minutes));
            DeviceFrame frame = lamp.Report(at, random);
            Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.Streetlight, frame.Payload, frame.FPort);
            bool on = values[TwinProperty.On].AsBool;
            double power = values[TwinProperty.PowerW].Number;
            Assert.True(values[TwinProperty.EnergyWh].Number >= energy);
            energy = values[TwinProperty.EnergyWh].Number;
            firstEnergy = double.IsNaN(firstEnergy) ? energy : firstEnergy;
            Assert.InRange(power, on && !lamp.Fault ? 45 : 0, on ? 160 : 2);
            onAt[minutes / 60] = on;
        }

        Assert.True(onAt[23] && onAt[1] && onAt[3]);
        Assert.False(onAt[7] || onAt[12] || onAt[19]);

        // The shortest night, about 9 hours, at 50-150 W, and the controller's standby by day.
        Assert.InRange(energy - firstEnergy, 0.9 * 8.5 * 50, (9.5 * 160) + (15 * 2));
    }

    [Fact]
    public void A_failed_lamp_is_switched_on_but_draws_nothing()
    {
        var random = new Random(1);
        SeedDevice seed = SeedFiles.First(TwinKind.Streetlight);
        var lamp = new StreetlightModel(seed, random) { Fault = true };

        DeviceFrame frame = lamp.Report(SeedFiles.LocalTime(2026, 1, 10, 23), random);
        Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.Streetlight, frame.Payload, frame.FPort);

        Assert.True(values[TwinProperty.On].AsBool);
        Assert.True(values[TwinProperty.PowerW].Number <= 1);
    }

    [Fact]
    public void Switch_downlink_overrides_the_photocell_until_it_next_changes()
    {
        var random = new Random(1);
        SeedDevice seed = SeedFiles.First(TwinKind.Streetlight);
        var lamp = new StreetlightModel(seed, random);
        SimulationTime night = SeedFiles.LocalTime(2026, 1, 10, 23);

        Assert.True(lamp.Receive(MilesightWs558Codec.Port, MilesightWs558Codec.EncodeSwitch(on: false), night));
        lamp.Report(night, random);
        Assert.False(lamp.On);

        lamp.Report(SeedFiles.LocalTime(2026, 1, 11, 12), random);
        lamp.Report(SeedFiles.LocalTime(2026, 1, 11, 23), random);
        Assert.True(lamp.On);
    }

    [Fact]
    public void Parking_bay_starts_up_then_reports_changes_and_heartbeats()
    {
        var random = new Random(4);
        SeedDevice seed = SeedFiles.First(TwinKind.RoadSensor, "bosch-tps110");
        var bay = new ParkingBayModel(seed, random);
        SimulationTime start = SeedFiles.LocalTime(2026, 5, 12, 8);
        var ports = new List<int>();
        var states = new HashSet<bool>();
        for (int minutes = 0; minutes < 12 * 60; minutes += 5)
        {
            DeviceFrame frame = bay.Report(SimulationTime.At(start.RealUtc.AddMinutes(minutes)), random);
            Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.RoadSensor, frame.Payload, frame.FPort);
            Assert.Equal(bay.Occupied, values[TwinProperty.ParkingOccupied].AsBool);
            ports.Add(frame.FPort);
            states.Add(bay.Occupied);
        }

        Assert.Equal(BoschTps110Codec.StartUpPort, ports[0]);
        Assert.Contains(BoschTps110Codec.ParkingStatusPort, ports);
        Assert.Contains(BoschTps110Codec.HeartbeatPort, ports);
        Assert.Equal(2, states.Count);
    }

    private static (double Count, double Speed, double Occupancy) Average(SeedDevice seed, SimulationTime at)
    {
        var random = new Random(42);
        var counter = new TrafficCounterModel(seed, random);
        double count = 0;
        double speed = 0;
        double occupancy = 0;
        int speeds = 0;
        const int Reports = 40;
        for (int i = 0; i < Reports; i++)
        {
            DeviceFrame frame = counter.Report(SimulationTime.At(at.RealUtc.AddSeconds(i)), random);
            Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(seed.Codec, TwinKind.RoadSensor, frame.Payload, frame.FPort);
            count += values[TwinProperty.VehicleCount].Number;
            occupancy += values[TwinProperty.OccupancyPct].Number;
            if (values.TryGetValue(TwinProperty.MeanSpeedKmh, out PropertyValue s))
            {
                speed += s.Number;
                speeds++;
            }
        }

        return (count / Reports, speeds > 0 ? speed / speeds : double.NaN, occupancy / Reports);
    }
}
