using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Training;

/// <summary>One input of a run as run.json records it: what it is, where it was, and a hash of its content.</summary>
/// <param name="Name">The input's role ("manifest", "bert", "cnn14").</param>
/// <param name="Path">The full path it was read from.</param>
/// <param name="Sha256">SHA-256 of the content (a folder: over each file's name and hash, in name order).</param>
public sealed record RunInput(string Name, string Path, string Sha256)
{
    /// <summary>Hashes <paramref name="files"/> (those present) in folder <paramref name="path"/>, or a file.</summary>
    public static RunInput Of(string name, string path, IEnumerable<string>? files = null)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (files is null) return new RunInput(name, full, HashFile(full));
        var combined = new StringBuilder();
        foreach (var f in files.Order(StringComparer.Ordinal))
        {
            string file = System.IO.Path.Combine(full, f);
            if (File.Exists(file)) combined.Append(f).Append(' ').Append(HashFile(file)).Append('\n');
        }
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(combined.ToString()));
        return new RunInput(name, full, Convert.ToHexStringLower(digest));
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>
/// The inputs of a training run, written to run.json when it starts and compared when it resumes: a run
/// that silently continued on another manifest or BERT would mix a clean and a dirty run, the worst
/// outcome for a leakage audit.
/// </summary>
public static class RunInputs
{
    public const string Key = "inputs";

    /// <summary>The inputs recorded in <paramref name="runJson"/>; empty for runs older than the record.</summary>
    public static IReadOnlyList<RunInput> Read(string runJson)
    {
        if (!File.Exists(runJson)) return [];
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(runJson));
            if (!doc.RootElement.TryGetProperty(Key, out var inputs) || inputs.ValueKind != JsonValueKind.Array)
                return [];
            return inputs.EnumerateArray().Select(e => new RunInput(
                e.GetProperty("name").GetString() ?? "", e.GetProperty("path").GetString() ?? "",
                e.GetProperty("sha256").GetString() ?? "")).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{runJson}: cannot read the recorded inputs ({e.Message})", e);
        }
    }

    /// <summary>
    /// Refuses a resume whose inputs differ in content from the recorded ones, naming each; also one given now
    /// but not then, or then but not now (a clean pre-training resumed without its ESC-50 folder is a dirty one).
    /// A run.json without a record (older runs) is not checked.
    /// </summary>
    public static void CheckSame(string runJson, IReadOnlyList<RunInput> recorded, IReadOnlyList<RunInput> current)
    {
        var changed = new List<string>();
        if (recorded.Count == 0) return;
        foreach (var then in recorded.Where(r => current.All(c => c.Name != r.Name)))
            changed.Add($"the run was started with {then.Name} {then.Path}, but none is given now");
        foreach (var now in current)
        {
            var then = recorded.FirstOrDefault(r => r.Name == now.Name);
            if (then is null)
            {
                changed.Add($"{now.Name} is {now.Path}, but the run was started without one");
                continue;
            }
            if (then.Sha256 != now.Sha256)
                changed.Add(then.Path == now.Path
                    ? $"{now.Name} {now.Path} changed since the run started"
                    : $"{now.Name} is {now.Path}, but the run was started with {then.Path}");
        }
        if (changed.Count > 0)
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"{runJson}: {string.Join("; ", changed)}; use a new run directory or the original inputs");
    }
}
