using ClapAudit.Common;
using ClapAudit.Text;

namespace ClapAudit.Training;

/// <summary>A pre-training corpus: one sentence a line (blank lines skipped), and the vocabulary built from it.</summary>
public static class TextCorpus
{
    public static IReadOnlyList<string> ReadSentences(string path)
    {
        Guard.FileExists(path, "text corpus");
        var lines = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Guard.Data(lines.Count >= 2, $"{path}: a corpus needs at least 2 non-empty lines, found {lines.Count}");
        return lines;
    }

    /// <summary>
    /// A word-level WordPiece vocabulary: [PAD]=0, [UNK], [CLS], [SEP], [MASK], then every lower-cased
    /// basic token of the texts in ordinal order (so each word is one token and nothing is split).
    /// </summary>
    public static List<string> BuildVocabulary(IEnumerable<string> texts)
    {
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in texts) words.UnionWith(BasicTokenizer.Uncased.Tokenize(t));
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var seen = new HashSet<string>(vocab, StringComparer.Ordinal);
        vocab.AddRange(words.Where(seen.Add));
        return vocab;
    }
}
