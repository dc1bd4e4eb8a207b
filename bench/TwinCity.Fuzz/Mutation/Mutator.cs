namespace TwinCity.Fuzz.Mutation;

/// <summary>
/// A seeded, reproducible mutation engine: each input is a corpus entry with one to four stacked
/// mutations (bit flips, interesting bytes, deletions, insertions, duplications, truncation,
/// splices from another entry, and tokens from the target's dictionary). The same seed gives the
/// same inputs in the same order on every run, so a crash found in a long pass can be replayed.
/// </summary>
public sealed class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\\', (byte)'-', (byte)'0', (byte)'9', (byte)'e', (byte)'.'];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _corpus;
    private readonly IReadOnlyList<byte[]> _dictionary;
    private readonly int _maxLength;
    private byte[] _buffer;

    public Mutator(int seed, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> dictionary, int maxLength)
    {
        if (corpus.Count == 0)
        {
            throw new ArgumentException("A fuzz target needs at least one corpus entry.", nameof(corpus));
        }

        _random = new Random(seed);
        _corpus = corpus;
        _dictionary = dictionary;
        _maxLength = maxLength;
        _buffer = new byte[maxLength * 2];
    }

    /// <summary>The next input; valid until the next call.</summary>
    public ReadOnlySpan<byte> Next()
    {
        byte[] start = _corpus[_random.Next(_corpus.Count)];
        int length = Math.Min(start.Length, _maxLength);
        start.AsSpan(0, length).CopyTo(_buffer);

        // One input in sixteen is a corpus entry as it is, so the valid path stays exercised.
        if (_random.Next(16) == 0)
        {
            return _buffer.AsSpan(0, length);
        }

        int rounds = 1 + _random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            length = MutateOnce(length);
        }

        return _buffer.AsSpan(0, length);
    }

    private int MutateOnce(int length)
    {
        switch (_random.Next(10))
        {
            case 0 when length > 0:
                _buffer[_random.Next(length)] ^= (byte)(1 << _random.Next(8));
                return length;
            case 1 when length > 0:
                _buffer[_random.Next(length)] = (byte)_random.Next(256);
                return length;
            case 2 when length > 0:
                _buffer[_random.Next(length)] = Interesting[_random.Next(Interesting.Length)];
                return length;
            case 3 when length > 0:
            {
                int at = _random.Next(length);
                int count = 1 + _random.Next(Math.Min(16, length - at));
                Remove(at, count, length);
                return length - count;
            }

            case 4:
            {
                int count = 1 + _random.Next(8);
                Span<byte> bytes = stackalloc byte[count];
                _random.NextBytes(bytes);
                return Insert(_random.Next(length + 1), bytes, length);
            }

            case 5 when length > 0:
            {
                int at = _random.Next(length);
                int count = 1 + _random.Next(Math.Min(32, length - at));
                byte[] copy = _buffer.AsSpan(at, count).ToArray();
                return Insert(_random.Next(length + 1), copy, length);
            }

            case 6 when length > 0:
                return _random.Next(length);
            case 7:
            {
                byte[] other = _corpus[_random.Next(_corpus.Count)];
                if (other.Length == 0)
                {
                    return length;
                }

                int from = _random.Next(other.Length);
                int count = 1 + _random.Next(Math.Min(64, other.Length - from));
                return Insert(_random.Next(length + 1), other.AsSpan(from, count), length);
            }

            default:
                if (_dictionary.Count == 0)
                {
                    return length;
                }

                byte[] token = _dictionary[_random.Next(_dictionary.Count)];
                if (length > 0 && _random.Next(2) == 0)
                {
                    // Overwrite a stretch with the token instead of inserting it.
                    int at = _random.Next(length);
                    int count = Math.Min(1 + _random.Next(12), length - at);
                    Remove(at, count, length);
                    return Insert(at, token, length - count);
                }

                return Insert(_random.Next(length + 1), token, length);
        }
    }

    private void Remove(int at, int count, int length) =>
        _buffer.AsSpan(at + count, length - at - count).CopyTo(_buffer.AsSpan(at));

    private int Insert(int at, ReadOnlySpan<byte> bytes, int length)
    {
        int count = Math.Min(bytes.Length, _maxLength - length);
        if (count <= 0)
        {
            return length;
        }

        if (length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, (length + count) * 2);
        }

        _buffer.AsSpan(at, length - at).CopyTo(_buffer.AsSpan(at + count));
        bytes[..count].CopyTo(_buffer.AsSpan(at));
        return length + count;
    }
}
