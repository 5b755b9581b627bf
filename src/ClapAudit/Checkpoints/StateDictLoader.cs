using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>What loading found: keys the model has but the file lacks, keys the file has but the model lacks, and shape conflicts.</summary>
public sealed record LoadReport(
    IReadOnlyList<string> MissingKeys,
    IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<string> ShapeMismatches,
    int LoadedCount)
{
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>One message with the counts and the first 10 of each kind.</summary>
    public string Describe(string source, string model)
    {
        var parts = new List<string>();
        if (MissingKeys.Count > 0) parts.Add($"{MissingKeys.Count} missing key(s) (model has, file lacks): {First10(MissingKeys)}");
        if (UnexpectedKeys.Count > 0) parts.Add($"{UnexpectedKeys.Count} unexpected key(s) (file has, model lacks): {First10(UnexpectedKeys)}");
        if (ShapeMismatches.Count > 0) parts.Add($"{ShapeMismatches.Count} shape mismatch(es): {First10(ShapeMismatches)}");
        return parts.Count == 0 ? $"{source} fits {model}" : $"{source} does not fit {model}: " + string.Join("; ", parts);
    }

    private static string First10(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(10)) + (items.Count > 10 ? $", ... ({items.Count - 10} more)" : "");
}

/// <summary>
/// Copies named tensors into a module's parameters and buffers, as PyTorch's load_state_dict:
/// strict mode fails on any missing or unexpected key; both modes fail on a shape mismatch.
/// Every problem goes into one <see cref="ClapAuditException"/> (kind Mismatch).
/// </summary>
public static class StateDictLoader
{
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, bool strict, string source, string modelName)
    {
        var target = module.state_dict();
        var report = Compare(target.ToDictionary(kv => kv.Key, kv => kv.Value.shape), tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape));
        var mismatched = report.ShapeMismatches;
        if (mismatched.Count > 0 || (strict && !report.IsExact))
            throw new ClapAuditException(ErrorKind.Mismatch, report.Describe(source, modelName) + (strict && mismatched.Count == 0 ? " (strict loading)" : ""));
        using (no_grad())
        {
            foreach (var (key, dst) in target)
                if (tensors.TryGetValue(key, out var src))
                    dst.copy_(src.device == dst.device ? src : src.to(dst.device));
        }
        return report;
    }

    /// <summary>The report alone (no copy), from the model's and the file's key shapes.</summary>
    public static LoadReport Compare(IReadOnlyDictionary<string, long[]> model, IReadOnlyDictionary<string, long[]> file)
    {
        var missing = model.Keys.Where(k => !file.ContainsKey(k)).ToList();
        var unexpected = file.Keys.Where(k => !model.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (key, dst) in model)
            if (file.TryGetValue(key, out var src) && !src.SequenceEqual(dst))
                mismatched.Add($"{key} model [{string.Join("x", dst)}] file [{string.Join("x", src)}]");
        return new LoadReport(missing, unexpected, mismatched, model.Count - missing.Count - mismatched.Count);
    }
}
