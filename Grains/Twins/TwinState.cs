using System.Text;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>
/// What every twin holds, whatever its kind. Kinds add typed fields in a subclass: plain fields,
/// <see cref="Measured{T}"/> and <see cref="MeasuredFlag"/> structs rather than dictionaries of
/// boxed values, so that a million twins fit in memory.
/// </summary>
[GenerateSerializer, Alias("twincity.twin-state")]
public abstract class TwinState
{
    /// <summary>The bound device; 0 when no device is bound.</summary>
    [Id(0)] public ulong DevEui;

    /// <summary>
    /// The twin's name. Held as UTF-8 bytes when they give the name back exactly (a 24-letter name
    /// takes 48 bytes rather than a string's 72); it is read for documents, not for uplinks.
    /// </summary>
    [Id(1)]
    public string? Name
    {
        get => _name is byte[] utf8 ? Encoding.UTF8.GetString(utf8) : (string?)_name;
        set => _name = Compact(value);
    }

    [Id(2)] public GeoPoint Installed;
    [Id(3)] public int ReportingIntervalSeconds;
    [Id(4)] public long Version;
    [Id(5)] public DateTime LastSeen;
    [Id(6)] public uint FCnt;
    [Id(7)] public bool HasFCnt;
    [Id(8)] public bool JoinedSinceUplink;
    // Id 9 held the radio metadata as an object (see Radio below).
    [Id(10)] public Measured<double> BatteryPct;
    [Id(11)] public List<DesiredValue>? Desired { get => _lists?.Desired; set { if (ListsFor(value) is { } lists) { lists.Desired = value; } } }
    [Id(12)] public List<CommandInfo>? Commands { get => _lists?.Commands; set { if (ListsFor(value) is { } lists) { lists.Commands = value; } } }
    [Id(13)] public DateTime ChangedAt;
    [Id(14)] public bool Provisioned;
    [Id(15)] public NetworkServer Source;
    [Id(16)] public string? ApplicationId;
    [Id(17)] public string? DeviceId;
    [Id(18)] public TwinStatus Status;
    [Id(19)] public List<DeviceLogEntry>? Log { get => _lists?.Log; set { if (ListsFor(value) is { } lists) { lists.Log = value; } } }
    [Id(20)] public string? Codec;
    [Id(21)] public List<IdempotencyRecord>? Idempotency { get => _lists?.Idempotency; set { if (ListsFor(value) is { } lists) { lists.Idempotency = value; } } }
    [Id(22)] public List<RuleHold>? Holds { get => _lists?.Holds; set { if (ListsFor(value) is { } lists) { lists.Holds = value; } } }

    /// <summary>
    /// Which of the 64 frame counters below <see cref="FCnt"/> were applied: bit k stands for
    /// <c>FCnt - 1 - k</c>. Uplinks of one device can arrive out of order when several silos share
    /// the broker's subscription; a late frame in this window is applied once, not dropped as old.
    /// </summary>
    [Id(23)] public ulong SeenBelow;

    /// <summary>The revision of the device registration that last provisioned this twin; 0 when unknown.</summary>
    [Id(24)] public long Revision;

    /// <summary>The radio metadata of the last uplink that brought some.</summary>
    [Id(25)] public RadioSeen Radio;

    /// <summary>
    /// Whether the device's registration holds <see cref="DeviceId"/> (or the call to record it is on
    /// its way). A cluster wakes a twin on the silo that owns the name its device's topics carry, and
    /// for The Things Stack only uplinks tell that name.
    /// </summary>
    [Id(26)] public bool DeviceIdRecorded;

    /// <summary>
    /// The lists most twins never have (desired values, commands, the device log, idempotency keys,
    /// rule holds), behind one reference that stays null until one of them is set: a million twins
    /// save 32 MB. Their serialized ids are those of the fields they once were.
    /// </summary>
    [NonSerialized]
    private RareLists? _lists;

    /// <summary>The name: UTF-8 bytes, or the string itself when it does not survive UTF-8 (a lone surrogate).</summary>
    [NonSerialized]
    private object? _name;

    public abstract TwinKind Kind { get; }

    /// <summary>Where the twin is now: the installed position, or for a moving device its last fix.</summary>
    public virtual GeoPoint Position => Installed;

    /// <summary>Applies one reading; returns false when the kind has no such property.</summary>
    public bool Apply(in Reading reading, DateTime at)
    {
        switch (reading.Property)
        {
            case TwinProperty.BatteryPct:
                Set(ref BatteryPct, reading.Value.Number, at);
                return true;
            case TwinProperty.Rssi or TwinProperty.Snr:
                // Radio metadata comes with the envelope; a payload's own copy adds nothing.
                return true;
            default:
                return ApplyKind(reading.Property, reading.Value, at);
        }
    }

    /// <summary>Appends every reported value, common and kind-specific.</summary>
    public void CollectReported(List<ReportedValue> into)
    {
        Add(into, TwinProperty.BatteryPct, BatteryPct);
        if (Radio.Heard && LastSeen != default)
        {
            if (Radio.HasRssi)
            {
                into.Add(new ReportedValue(TwinProperty.Rssi, PropertyValue.Of(Radio.Rssi), LastSeen));
            }

            if (Radio.HasSnr)
            {
                into.Add(new ReportedValue(TwinProperty.Snr, PropertyValue.Of(Radio.Snr), LastSeen));
            }
        }

        CollectKind(into);
    }

    /// <summary>The reported value of one property, if the device reported it.</summary>
    public ReportedValue? GetReported(TwinProperty property)
    {
        List<ReportedValue> all = RentScratch();
        try
        {
            CollectReported(all);
            foreach (ReportedValue value in all)
            {
                if (value.Property == property)
                {
                    return value;
                }
            }

            return null;
        }
        finally
        {
            ReturnScratch(all);
        }
    }

    [ThreadStatic]
    private static List<ReportedValue>? _threadScratch;

    /// <summary>
    /// An empty list to collect reported values into and read before the next await, one per thread
    /// and reused, since every uplink collects them (for the twin's cell) and most drop them at once.
    /// Give it back with <see cref="ReturnScratch"/>; a caller that rents while another holds it gets a new one.
    /// </summary>
    public static List<ReportedValue> RentScratch()
    {
        List<ReportedValue> list = _threadScratch ?? new List<ReportedValue>(16);
        _threadScratch = null;
        return list;
    }

    public static void ReturnScratch(List<ReportedValue> list)
    {
        ArgumentNullException.ThrowIfNull(list);
        list.Clear();
        _threadScratch = list;
    }

    private static object? Compact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(utf8) == text ? utf8 : text;
    }

    /// <summary>
    /// Points the texts that many twins repeat (application id, codec, gateway, the kind's texts)
    /// at the shared pool. A snapshot read from storage brings its own copy of each for every twin,
    /// where the uplinks' and registrations' paths already share them; called once the snapshot is read.
    /// </summary>
    public void ShareTexts()
    {
        ApplicationId = SharedStrings.Get(ApplicationId);
        Codec = SharedStrings.Get(Codec);
        Radio.Gateway = SharedStrings.Get(Radio.Gateway);
        ShareKindTexts();
    }

    /// <summary>The kind's own repeated texts, for <see cref="ShareTexts"/>.</summary>
    protected virtual void ShareKindTexts()
    {
    }

    /// <summary>The pooled copy of a measured text.</summary>
    protected static void Share(ref Measured<string?> field) => field.Value = SharedStrings.Get(field.Value);

    /// <summary>The holder of the rare lists to set <paramref name="value"/> in: made for a list, not for a null.</summary>
    private RareLists? ListsFor(object? value) => value is null ? _lists : _lists ??= new RareLists();

    protected abstract bool ApplyKind(TwinProperty property, PropertyValue value, DateTime at);

    protected abstract void CollectKind(List<ReportedValue> into);

    protected static void Set(ref Measured<double> field, double value, DateTime at)
    {
        field.Value = value;
        field.At = at;
    }

    protected static void Set(ref MeasuredFlag field, bool value, DateTime at)
    {
        field.Value = value;
        field.At = at;
    }

    protected static void Set(ref Measured<string?> field, string? value, DateTime at)
    {
        // Devices repeat the same short texts (routes, stops, "dry"): keep one copy of each.
        field.Value = SharedStrings.Get(value);
        field.At = at;
    }

    protected static void Add(List<ReportedValue> into, TwinProperty property, Measured<double> field)
    {
        if (field.HasValue)
        {
            into.Add(new ReportedValue(property, PropertyValue.Of(field.Value), field.At));
        }
    }

    protected static void Add(List<ReportedValue> into, TwinProperty property, MeasuredFlag field)
    {
        if (field.HasValue)
        {
            into.Add(new ReportedValue(property, PropertyValue.Of(field.Value), field.At));
        }
    }

    protected static void Add(List<ReportedValue> into, TwinProperty property, Measured<string?> field)
    {
        if (field.HasValue && field.Value is not null)
        {
            into.Add(new ReportedValue(property, PropertyValue.Of(field.Value), field.At));
        }
    }

    private sealed class RareLists
    {
        public List<DesiredValue>? Desired;
        public List<CommandInfo>? Commands;
        public List<DeviceLogEntry>? Log;
        public List<IdempotencyRecord>? Idempotency;
        public List<RuleHold>? Holds;
    }
}
