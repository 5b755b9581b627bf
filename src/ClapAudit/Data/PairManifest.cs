using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>
/// The pair manifest: one JSON object a line, <c>{"dataset": ..., "audio": "&lt;absolute path&gt;",
/// "caption": ..., "id": ...}</c>, UTF-8 with non-ASCII characters written as they are.
/// </summary>
public static class PairManifest
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Path of a split's manifest in a manifest folder ("train" gives train.jsonl).</summary>
    public static string PathFor(string dir, string split) => Path.Combine(dir, split + ".jsonl");

    /// <summary>Writes pairs atomically (name.tmp, then rename).</summary>
    public static void Write(string path, IEnumerable<AudioTextPair> pairs) => AtomicFile.Write(path, stream =>
    {
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        foreach (var p in pairs)
        {
            writer.WriteStartObject();
            writer.WriteString("dataset", p.Dataset);
            writer.WriteString("audio", p.AudioPath);
            writer.WriteString("caption", p.Caption);
            writer.WriteString("id", p.Id);
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    });

    /// <summary>Reads <c>{dir}/{split}.jsonl</c>, e.g. <c>Read(dir, "train")</c>.</summary>
    public static IReadOnlyList<AudioTextPair> Read(string dir, string split) => Read(PathFor(dir, split));

    public static IReadOnlyList<AudioTextPair> Read(string path)
    {
        Guard.FileExists(path, "pair manifest");
        var pairs = new List<AudioTextPair>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNo++;
            if (line.Length == 0 || line.All(char.IsWhiteSpace)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Bad($"expected a JSON object, found {root.ValueKind}");
                pairs.Add(new AudioTextPair(Field(root, "dataset"), Field(root, "audio"), Field(root, "caption"), Field(root, "id")));
            }
            catch (JsonException e)
            {
                throw Bad($"not valid JSON: {e.Message}");
            }
        }
        return pairs;

        string Field(JsonElement o, string name) =>
            o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                : throw Bad($"missing string field '{name}' (expected dataset, audio, caption, id)");
        ClapAuditException Bad(string what) => new(ErrorKind.InvalidData, $"{path}:{lineNo}: {what}");
    }
}
