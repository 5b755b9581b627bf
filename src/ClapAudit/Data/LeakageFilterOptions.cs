using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>How a caption word is compared with a class word.</summary>
public enum WordMatch
{
    /// <summary>The same token after BERT basic tokenisation (lower-cased, accents stripped). The paper's literal rule.</summary>
    Exact,
    /// <summary>The same Snowball (Porter2) English stem: "dogs" matches "dog", "barking" matches "bark".</summary>
    Stem,
}

/// <summary>Settings of the leakage filter.</summary>
/// <param name="Match">Exact tokens (default, the paper's rule) or stems.</param>
/// <param name="Stopwords">Words exempted from the word set (none by default: the paper's rule is literal).</param>
/// <param name="Words">A custom word list that replaces the words derived from the class names (null: derive them).</param>
public sealed record LeakageFilterOptions(
    WordMatch Match = WordMatch.Exact,
    IReadOnlyList<string>? Stopwords = null,
    IReadOnlyList<string>? Words = null)
{
    /// <summary>Reads a word list: one or more words a line (split on spaces and underscores), '#' starts a comment, lower-cased.</summary>
    public static IReadOnlyList<string> ReadWordFile(string path)
    {
        Guard.FileExists(path, "word list");
        var words = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            int hash = raw.IndexOf('#');
            string line = hash >= 0 ? raw[..hash] : raw;
            words.AddRange(LeakageFilter.WordsOf(line));
        }
        return words.Distinct(StringComparer.Ordinal).ToArray();
    }
}
