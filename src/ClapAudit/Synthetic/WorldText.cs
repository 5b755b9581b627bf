using System.Text;
using ClapAudit.Common;
using ClapAudit.Text;

namespace ClapAudit.Synthetic;

/// <summary>
/// The world's language outside the captions: a corpus for the text backbone's pre-training, in
/// which a class's name and its synonym appear in exactly the same contexts (so a masked language
/// model learns that they mean the same), and a WordPiece vocabulary in which every word of the
/// world is one token (so "bralk" is not split into pieces shared with unrelated names).
/// </summary>
internal static class WorldText
{
    public static List<string> Corpus(SyntheticWorldOptions o, IReadOnlyList<SoundClass> classes)
    {
        var lines = new List<string>(classes.Count * o.CorpusContextsPerClass * 2);
        foreach (var c in classes)
        {
            var rng = WorldRandom.For(o.Seed, "corpus", c.Index);
            for (int m = 0; m < o.CorpusContextsPerClass; m++)
            {
                string template = CaptionTemplates.Corpus[m % CaptionTemplates.Corpus.Length];
                var fill = CaptionTemplates.Fill.Draw(c, rng);
                lines.Add(CaptionTemplates.Sentence(template, c.Name, fill));
                lines.Add(CaptionTemplates.Sentence(template, c.Synonym, fill));
            }
        }
        WorldRandom.For(o.Seed, "corpus-order").Shuffle(lines);
        return lines;
    }

    /// <summary>BERT-style vocab.txt: special tokens, every word and mark of the texts, then letters as a fallback.</summary>
    public static List<string> Vocabulary(IEnumerable<string> texts)
    {
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in texts) words.UnionWith(BasicTokenizer.Uncased.Tokenize(t));
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var seen = new HashSet<string>(vocab, StringComparer.Ordinal);
        void Add(string w) { if (seen.Add(w)) vocab.Add(w); }
        foreach (var w in words) Add(w);
        for (char ch = 'a'; ch <= 'z'; ch++) Add(ch.ToString());
        for (char ch = 'a'; ch <= 'z'; ch++) Add("##" + ch);
        for (char ch = '0'; ch <= '9'; ch++) Add(ch.ToString());
        return vocab;
    }

    public static void WriteLines(string path, IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines) sb.Append(l).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
