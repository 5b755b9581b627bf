using System.Text.Json;
using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length, a JSON header mapping
/// each name to dtype, shape and [begin, end) byte offsets into the data that follows, and an
/// optional "__metadata__" map of strings. Small and explicit, so errors name the tensor at fault. Tensors are views
/// of a private (copy-on-write) memory map of the file where their offset allows (docs/formats.md).
/// </summary>
public static class SafeTensorsFile
{
    public static bool HasMagic(string path)
    {
        // No magic number: a header length followed by '{' is the signature. A length that does not fit
        // the file still counts, so Read can say that (instead of "not a safetensors file").
        using var f = File.OpenRead(path);
        if (f.Length < 10) return false;
        Span<byte> head = stackalloc byte[9];
        f.ReadExactly(head);
        ulong n = BitConverter.ToUInt64(head[..8]);
        return n > 1 && head[8] == (byte)'{';
    }

    public static StateDict Read(string path)
    {
        Guard.FileExists(path, "safetensors file");
        using var f = File.OpenRead(path);
        var lenBytes = new byte[8];
        Guard.Data(f.Length >= 8, $"{path}: too short for a safetensors file ({f.Length} bytes)");
        f.ReadExactly(lenBytes);
        ulong headerLength = BitConverter.ToUInt64(lenBytes);
        Guard.Data(headerLength > 0 && headerLength <= (ulong)(f.Length - 8), $"{path}: safetensors header length {headerLength} does not fit the file ({f.Length} bytes)");
        var header = new byte[headerLength];
        f.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            // Data order, so the listing follows the file.
            var entries = new List<(string Name, string DType, long[] Shape, long Begin, long End)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                entries.Add((p.Name, p.Value.GetProperty("dtype").GetString()!,
                    p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), offs[0], offs[1]));
            }
            // Memory-mapped (private, copy-on-write: a change to a tensor never reaches the file): one read-only view of the
            // file per dtype, and each tensor a slice of it, so the load reads nothing until a value is used and pages
            // come from the page cache. A tensor whose offset is not a multiple of its width (possible in files from
            // other writers), and every bool (checked byte by byte), is read into its own memory instead.
            var maps = new Dictionary<ScalarType, Tensor>();
            try
            {
                foreach (var e in entries.OrderBy(e => e.Begin))
                {
                    long count = e.Shape.Aggregate(1L, (a, b) => a * b);
                    var (type, width) = TypeOf(e.DType, path, e.Name);
                    Guard.Data(e.Begin >= 0 && e.End - e.Begin == count * width && dataStart + e.End <= f.Length,
                        $"{path}: tensor {e.Name} ({e.DType} [{string.Join(", ", e.Shape)}]) has byte range [{e.Begin}, {e.End}) which does not match its size or the file");
                    long at = dataStart + e.Begin;
                    if (type != ScalarType.Bool && at % width == 0 && count > 0)
                    {
                        if (!maps.TryGetValue(type, out var map))
                            maps[type] = map = from_file(path, shared: false, size: f.Length / width, dtype: type);
                        using var slice = map.narrow(0, at / width, count);
                        tensors[e.Name] = slice.view(e.Shape);
                        continue;
                    }
                    Guard.Data(e.End - e.Begin <= int.MaxValue, $"{path}: tensor {e.Name} holds {e.End - e.Begin} bytes; one tensor over 2 GiB is not read here");
                    f.Position = at;
                    tensors[e.Name] = ReadTensor(f, type, e.Shape);
                }
            }
            finally
            {
                // The slices keep the mapping alive; the whole-file views are not needed once they exist.
                foreach (var m in maps.Values) m.Dispose();
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: malformed safetensors header: {e.Message}", e);
        }
        return new StateDict(tensors, path, metadata);
    }

    /// <summary>The dtypes safetensors and TorchSharp share: the file's name, the tensor type, the width in bytes.
    /// One table for the reader and <see cref="SafeTensorsWriter"/>.</summary>
    internal static readonly (string Name, ScalarType Type, int Width)[] DTypes =
    [
        ("F64", ScalarType.Float64, 8), ("I64", ScalarType.Int64, 8), ("F32", ScalarType.Float32, 4),
        ("I32", ScalarType.Int32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>The tensor type of a stored dtype and its width in bytes.</summary>
    private static (ScalarType Type, int Width) TypeOf(string dtype, string path, string name)
    {
        foreach (var d in DTypes)
            if (d.Name == dtype) return (d.Type, d.Width);
        throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: tensor {name} has unsupported dtype {dtype}");
    }

    /// <summary>
    /// For a tensor that cannot be a view of the mapping: the stored bytes read straight into a new tensor's memory
    /// (little-endian, as safetensors and this host are), with no intermediate array. A bool is read as bytes and
    /// compared with 0, so a stored 2 cannot become an invalid bool.
    /// </summary>
    private static Tensor ReadTensor(Stream f, ScalarType type, long[] shape)
    {
        var t = empty(shape, type == ScalarType.Bool ? ScalarType.Byte : type);
        try
        {
            if (t.numel() > 0) f.ReadExactly(t.bytes);
            if (type != ScalarType.Bool) return t;
            using (t) return t.ne(SafeScalars.Zero);
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }
}
