using System.Runtime.InteropServices;
using System.Text.Json;
using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length, a JSON header mapping
/// each name to dtype, shape and [begin, end) byte offsets into the data that follows, and an
/// optional "__metadata__" map of strings. Small and explicit, so errors name the tensor at fault.
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
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                long count = e.Shape.Aggregate(1L, (a, b) => a * b);
                int width = Width(e.DType, path, e.Name);
                Guard.Data(e.End - e.Begin == count * width && dataStart + e.End <= f.Length,
                    $"{path}: tensor {e.Name} ({e.DType} [{string.Join(", ", e.Shape)}]) has byte range [{e.Begin}, {e.End}) which does not match its size or the file");
                var bytes = new byte[e.End - e.Begin];
                f.Position = dataStart + e.Begin;
                f.ReadExactly(bytes);
                tensors[e.Name] = Make(bytes, e.DType, e.Shape);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: malformed safetensors header: {e.Message}", e);
        }
        return new StateDict(tensors, path, metadata);
    }

    private static int Width(string dtype, string path, string name) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: tensor {name} has unsupported dtype {dtype}"),
    };

    private static Tensor Make(byte[] b, string dtype, long[] shape)
    {
        switch (dtype)
        {
            case "F32": return tensor(MemoryMarshal.Cast<byte, float>(b).ToArray(), shape);
            case "F64": return tensor(MemoryMarshal.Cast<byte, double>(b).ToArray(), shape);
            case "I64": return tensor(MemoryMarshal.Cast<byte, long>(b).ToArray(), shape);
            case "I32": return tensor(MemoryMarshal.Cast<byte, int>(b).ToArray(), shape);
            case "I16": return tensor(MemoryMarshal.Cast<byte, short>(b).ToArray(), shape);
            case "I8": return tensor(MemoryMarshal.Cast<byte, sbyte>(b).ToArray(), shape);
            case "U8": return tensor(b, shape);
            case "BOOL": return tensor(b.Select(x => x != 0).ToArray(), shape);
            case "F16":
            {
                // Half -> float -> Float16 is exact.
                var h = MemoryMarshal.Cast<byte, Half>(b);
                var f = new float[h.Length];
                for (int i = 0; i < f.Length; i++) f[i] = (float)h[i];
                using var t = tensor(f, shape);
                return t.to(ScalarType.Float16);
            }
            case "BF16":
            {
                var u = MemoryMarshal.Cast<byte, ushort>(b);
                var f = new float[u.Length];
                for (int i = 0; i < f.Length; i++) f[i] = BitConverter.Int32BitsToSingle(u[i] << 16);
                using var t = tensor(f, shape);
                return t.to(ScalarType.BFloat16);
            }
            default: throw new ClapAuditException(ErrorKind.InvalidData, $"unsupported safetensors dtype {dtype}");
        }
    }
}
