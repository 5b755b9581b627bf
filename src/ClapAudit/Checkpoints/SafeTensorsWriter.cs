using System.Text.Json;
using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Writes the safetensors format that <see cref="SafeTensorsFile"/> reads: an 8-byte little-endian
/// header length, a JSON header (each name to dtype, shape and [begin, end) byte offsets, plus
/// "__metadata__"), padded with spaces to a multiple of 8 bytes as the reference implementation
/// does, then the raw little-endian data in the given order. Every dtype TorchSharp and safetensors
/// share (float32/64/16, bfloat16, int8/16/32/64, uint8, bool). Hugging Face transformers requires metadata <c>{"format": "pt"}</c>, which is always written.
/// </summary>
public static class SafeTensorsWriter
{
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WritePropertyName("__metadata__");
            json.WriteStartObject();
            json.WriteString("format", "pt");
            foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
                if (k != "format") json.WriteString(k, v);
            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, t) in tensors)
            {
                Guard.Setting(name.Length > 0 && name != "__metadata__" && names.Add(name), $"safetensors: tensor name '{name}' is empty, reserved or repeated");
                string dtype = DTypeOf(t, name);
                long bytes = t.numel() * t.ElementSize;
                json.WritePropertyName(name);
                json.WriteStartObject();
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long d in t.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        var headerBytes = header.ToArray().ToList();
        while ((8 + headerBytes.Count) % 8 != 0) headerBytes.Add((byte)' ');
        AtomicFile.Write(path, s =>
        {
            s.Write(BitConverter.GetBytes((ulong)headerBytes.Count));
            s.Write(headerBytes.ToArray());
            // Each tensor's bytes straight from its memory (a contiguous copy only where it is a strided view): the file
            // is written without a second copy of the weights.
            foreach (var (_, t) in tensors)
            {
                using var c = t.detach().cpu().contiguous();
                if (c.numel() > 0) s.Write(c.bytes);
            }
        });
    }

    private static string DTypeOf(Tensor t, string name)
    {
        foreach (var d in SafeTensorsFile.DTypes)
            if (d.Type == t.dtype) return d.Name;
        throw new ClapAuditException(ErrorKind.InvalidSetting, $"safetensors: tensor {name} has dtype {t.dtype}, which safetensors cannot hold here");
    }
}
