using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Validates a requested list of published splits against the ones a dataset has.</summary>
internal static class SplitSelection
{
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string>? requested, IReadOnlyList<string> known, string dataset)
    {
        if (requested is null || requested.Count == 0) return known;
        foreach (var s in requested)
            Guard.Setting(known.Contains(s), $"{dataset}: unknown split '{s}' (known: {string.Join(", ", known)})");
        return known.Where(requested.Contains).ToArray();
    }
}
