using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace ClapAudit.Common;

/// <summary>
/// A NumPy array read from or written to a <c>.npy</c> file (format versions 1.0, 2.0 and 3.0).
/// Values are held as double (floats) or long (integers) in C order whatever the file's dtype,
/// byte order or memory order.
/// </summary>
/// <remarks>
/// Hand-written because NumSharp (the one NuGet option served here) is unmaintained and reads
/// neither float16, big-endian nor Fortran-ordered files; the format itself is small and fully
/// specified (numpy/lib/format.py), and this reader is tested against files NumPy wrote.
/// </remarks>
public sealed partial class NpyArray
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public int[] Shape { get; }
    /// <summary>The dtype as the file spelled it, for messages (e.g. "&lt;f4").</summary>
    public string DType { get; }
    public bool IsInteger { get; }
    private readonly double[]? _floats;
    private readonly long[]? _ints;

    private NpyArray(int[] shape, string dtype, double[]? floats, long[]? ints)
    {
        Shape = shape;
        DType = dtype;
        _floats = floats;
        _ints = ints;
        IsInteger = ints is not null;
    }

    public long Length => Shape.Aggregate(1L, (a, b) => a * b);
    public int Rank => Shape.Length;

    public static NpyArray FromFloats(double[] values, params int[] shape) => new(shape, "<f8", values, null);
    public static NpyArray FromInts(long[] values, params int[] shape) => new(shape, "<i8", null, values);

    /// <summary>Values as doubles (integers converted).</summary>
    public double[] ToDoubleArray() => _floats?.ToArray() ?? _ints!.Select(v => (double)v).ToArray();

    /// <summary>
    /// The values as doubles without a copy when the file held floats: the array is this object's own, so the caller
    /// must not use this NpyArray afterwards (it saves a second n x d copy at the peak of loading a bundle).
    /// </summary>
    internal double[] TakeDoubles() => _floats ?? _ints!.Select(v => (double)v).ToArray();

    public float[] ToFloatArray() => _floats is not null
        ? _floats.Select(v => (float)v).ToArray()
        : _ints!.Select(v => (float)v).ToArray();

    /// <summary>Integer values; a float array is accepted only when every value is integral.</summary>
    public long[] ToInt64Array(string source)
    {
        if (_ints is not null) return _ints.ToArray();
        var result = new long[_floats!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double v = _floats[i];
            if (v != Math.Floor(v) || !double.IsFinite(v))
                throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: expected integers, found {v} at index {i} (dtype {DType})");
            result[i] = (long)v;
        }
        return result;
    }

    // ---------------------------------------------------------------- reading

    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: file not found");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpyArray Read(Stream stream, string source)
    {
        Span<byte> pre = stackalloc byte[8];
        if (ReadFully(stream, pre) < 8 || !pre[..6].SequenceEqual(Magic))
            throw Bad(source, "not a NumPy .npy file (missing the \\x93NUMPY magic)");
        int major = pre[6];
        int headerLength;
        Encoding headerEncoding;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            if (ReadFully(stream, len) < 2) throw Bad(source, "truncated header");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
            headerEncoding = Encoding.Latin1;
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            if (ReadFully(stream, len) < 4) throw Bad(source, "truncated header");
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (l > 1 << 24) throw Bad(source, $"header length {l} is implausible");
            headerLength = (int)l;
            headerEncoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        }
        else throw Bad(source, $"unsupported .npy format version {major}.{pre[7]} (1.0-3.0 are supported)");

        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) < headerLength) throw Bad(source, "truncated header");
        string header = headerEncoding.GetString(headerBytes);

        string descr = HeaderField(header, "descr", source);
        string fortran = HeaderField(header, "fortran_order", source);
        string shapeText = HeaderField(header, "shape", source);

        var m = DescrRegex().Match(descr);
        if (!m.Success) throw Bad(source, $"unsupported dtype {descr} (numeric dtypes only: float16/32/64, int/uint 8-64, bool)");
        char order = m.Groups[1].Value.Length > 0 ? m.Groups[1].Value[0] : '|';
        char kind = m.Groups[2].Value[0];
        int size = int.Parse(m.Groups[3].Value);
        bool bigEndian = order == '>';
        bool fortranOrder = fortran.Trim() switch
        {
            "True" => true,
            "False" => false,
            _ => throw Bad(source, $"fortran_order is '{fortran}', expected True or False"),
        };

        int[] shape = ParseShape(shapeText, source);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count * size > int.MaxValue) throw Bad(source, $"array of {count} items is too large");

        double[]? floats = null;
        long[]? ints = null;
        if (kind == 'f' && size is 2 or 4 or 8)
        {
            // Decoded a chunk at a time: the file's bytes are never held whole beside the doubles.
            floats = new double[count];
            var chunk = new byte[Math.Min(count * size, (1 << 20) / size * size)];
            long done = 0;
            while (done < count)
            {
                int items = (int)Math.Min(count - done, chunk.Length / size);
                int read = ReadFully(stream, chunk.AsSpan(0, items * size));
                if (read < items * size)
                    throw Bad(source, $"truncated data: expected {count * size} bytes for shape ({string.Join(", ", shape)}) and dtype {descr}, " +
                                      $"found {done * size + read}");
                DecodeFloats(chunk.AsSpan(0, read), size, bigEndian, floats.AsSpan((int)done, items));
                done += items;
            }
        }
        var data = floats is null ? new byte[count * size] : [];
        int got = floats is null ? ReadFully(stream, data) : 0;
        if (got < data.Length)
            throw Bad(source, $"truncated data: expected {data.Length} bytes for shape ({string.Join(", ", shape)}) and dtype {descr}, found {got}");

        switch (kind, size)
        {
            case ('f', 2 or 4 or 8):
                break;
            case ('i', 1 or 2 or 4 or 8):
            case ('u', 1 or 2 or 4 or 8):
            case ('b', 1):
                ints = DecodeInts(data, kind, size, bigEndian, source);
                break;
            default:
                throw Bad(source, $"unsupported dtype {descr}");
        }

        if (fortranOrder && shape.Length > 1)
        {
            if (floats is not null) floats = FortranToC(floats, shape);
            else ints = FortranToC(ints!, shape);
        }
        return new NpyArray(shape, descr, floats, ints);
    }

    private static ClapAuditException Bad(string source, string what) => new(ErrorKind.InvalidData, $"{source}: {what}");

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string HeaderField(string header, string key, string source)
    {
        var m = Regex.Match(header, $@"['""]{key}['""]\s*:\s*(\([^)]*\)|'[^']*'|""[^""]*""|True|False)");
        if (!m.Success) throw Bad(source, $"header lacks '{key}': {header.Trim()}");
        string v = m.Groups[1].Value;
        return v.StartsWith('\'') || v.StartsWith('"') ? v[1..^1] : v;
    }

    private static int[] ParseShape(string text, string source)
    {
        string inner = text.Trim().TrimStart('(').TrimEnd(')');
        var parts = inner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i].TrimEnd('L');
            if (!int.TryParse(p, out shape[i]) || shape[i] < 0) throw Bad(source, $"bad shape {text}");
        }
        return shape;
    }

    private static void DecodeFloats(ReadOnlySpan<byte> span, int size, bool bigEndian, Span<double> result)
    {
        int n = span.Length / size;
        for (int i = 0; i < n; i++)
        {
            var b = span.Slice(i * size, size);
            result[i] = size switch
            {
                2 => (double)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(b) : BinaryPrimitives.ReadHalfLittleEndian(b)),
                4 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
                _ => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
            };
        }
    }

    private static long[] DecodeInts(byte[] data, char kind, int size, bool bigEndian, string source)
    {
        int n = data.Length / size;
        var result = new long[n];
        var span = data.AsSpan();
        for (int i = 0; i < n; i++)
        {
            var b = span.Slice(i * size, size);
            result[i] = (kind, size) switch
            {
                ('b', _) => b[0] != 0 ? 1 : 0,
                ('i', 1) => (sbyte)b[0],
                ('u', 1) => b[0],
                ('i', 2) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
                ('u', 2) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
                ('i', 4) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
                ('u', 4) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
                ('i', 8) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
                _ => UInt64(bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b)
                    : BinaryPrimitives.ReadUInt64LittleEndian(b), i, source),
            };
        }
        return result;
    }

    /// <summary>A uint64 value as long; values above 2^63 - 1 have no long and are refused naming the index.</summary>
    private static long UInt64(ulong value, int index, string source)
    {
        if (value > long.MaxValue)
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{source}: uint64 value {value} at index {index} is above 2^63 - 1, too large for a label or count");
        return (long)value;
    }

    private static T[] FortranToC<T>(T[] values, int[] shape)
    {
        // Fortran order: the first index varies fastest. Map each C-order position to its Fortran offset.
        int rank = shape.Length;
        var result = new T[values.Length];
        var index = new int[rank];
        for (int c = 0; c < values.Length; c++)
        {
            long f = 0, stride = 1;
            for (int d = 0; d < rank; d++) { f += index[d] * stride; stride *= shape[d]; }
            result[c] = values[f];
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }

    [GeneratedRegex(@"^([<>|=]?)([fiub])(\d+)$")]
    private static partial Regex DescrRegex();

    // ---------------------------------------------------------------- writing

    /// <summary>Writes float32 values in C order, little-endian, format 1.0 (atomically).</summary>
    public static void WriteFloat32(string path, ReadOnlySpan<float> values, params int[] shape)
    {
        CheckCount(values.Length, shape, path);
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        WriteRaw(path, "<f4", shape, bytes);
    }

    /// <summary>Writes float64 values in C order, little-endian, format 1.0 (atomically).</summary>
    public static void WriteFloat64(string path, ReadOnlySpan<double> values, params int[] shape)
    {
        CheckCount(values.Length, shape, path);
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        WriteRaw(path, "<f8", shape, bytes);
    }

    /// <summary>Writes int64 values in C order, little-endian, format 1.0 (atomically).</summary>
    public static void WriteInt64(string path, ReadOnlySpan<long> values, params int[] shape)
    {
        CheckCount(values.Length, shape, path);
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        WriteRaw(path, "<i8", shape, bytes);
    }

    private static void CheckCount(int count, int[] shape, string path)
    {
        long expected = shape.Aggregate(1L, (a, b) => a * b);
        if (expected != count)
            throw new ArgumentException($"{path}: {count} values do not fill shape ({string.Join(", ", shape)})");
    }

    private static void WriteRaw(string path, string descr, int[] shape, byte[] data)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad so that magic + version + length + header is a multiple of 64, ending in '\n' (as NumPy does).
        int total = Magic.Length + 2 + 2 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        AtomicFile.Write(path, s =>
        {
            s.Write(Magic);
            s.WriteByte(1);
            s.WriteByte(0);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            s.Write(len);
            s.Write(Encoding.Latin1.GetBytes(header));
            s.Write(data);
        });
    }
}
