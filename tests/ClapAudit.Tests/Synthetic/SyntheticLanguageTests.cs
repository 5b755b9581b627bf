using System.Text.RegularExpressions;
using ClapAudit.Synthetic;
using ClapAudit.Text;

namespace ClapAudit.Tests.Synthetic;

/// <summary>The world's words: invented single-word names, no collisions, a corpus that puts name and synonym in the same contexts.</summary>
[Collection(QuickWorldCollection.Name)]
public sealed class SyntheticLanguageTests(QuickWorldFixture world)
{
    private SyntheticWorldLayout L => world.Layout;

    [Fact]
    public void NamesAreSingleInventedWordsCollidingWithNothing()
    {
        var words = L.Classes.SelectMany(c => new[] { c.Name, c.Synonym }).ToList();
        Assert.Equal(words.Count, words.Distinct().Count());
        var taken = SoundVocabulary.AttributeWords().Concat(CaptionTemplates.TemplateWords()).ToHashSet();
        Assert.Contains("pulsing", taken);
        Assert.Contains("someone", taken);
        foreach (var w in words)
        {
            Assert.Matches("^[a-z]{4,}$", w);
            Assert.DoesNotContain(w, taken);
            // Stem-stable: no suffix a Porter/Snowball stemmer would strip.
            Assert.DoesNotMatch("(s|e|y|ed|ing|er|al|ent|ant|ly)$", w);
        }
    }

    [Fact]
    public void EveryCaptionWordIsAnAttributeTemplateOrClassWord()
    {
        var known = SoundVocabulary.AttributeWords().Concat(CaptionTemplates.TemplateWords())
            .Concat(L.Classes.SelectMany(c => new[] { c.Name, c.Synonym })).ToHashSet();
        foreach (var cap in WorldFiles.ClothoCaptions(L.ClothoDir).SelectMany(c => c.Captions))
            foreach (var tok in BasicTokenizer.Uncased.Tokenize(cap).Where(t => t is not "," and not "."))
                Assert.Contains(tok, known);
    }

    [Fact]
    public void CorpusPutsNameAndSynonymInExactlyTheSameContexts()
    {
        var lines = File.ReadAllLines(L.CorpusPath);
        Assert.Equal(L.Counts.CorpusSentences, lines.Length);
        foreach (var c in L.Classes)
        {
            var nameContexts = Contexts(lines, c.Name);
            var synonymContexts = Contexts(lines, c.Synonym);
            Assert.Equal(world.Options.CorpusContextsPerClass, nameContexts.Count);
            Assert.Equal(nameContexts.OrderBy(s => s, StringComparer.Ordinal), synonymContexts.OrderBy(s => s, StringComparer.Ordinal));
            Assert.Contains(nameContexts, s => s.Contains(SoundVocabulary.PitchWords[c.Pitch][0]) || s.Contains(SoundVocabulary.PitchWords[c.Pitch][1]));
        }
    }

    private static List<string> Contexts(string[] lines, string word)
    {
        var re = new Regex($@"\b{word}\b");
        return lines.Where(l => re.IsMatch(l)).Select(l => re.Replace(l, "_")).ToList();
    }

    [Fact]
    public void VocabularyHoldsEveryWordOfTheWorldAsOneToken()
    {
        var vocab = File.ReadAllLines(L.VocabPath);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], vocab[..5]);
        Assert.Equal(vocab.Length, vocab.Distinct().Count());
        var set = vocab.ToHashSet();
        var texts = File.ReadAllLines(L.CorpusPath)
            .Concat(WorldFiles.ClothoCaptions(L.ClothoDir).SelectMany(c => c.Captions))
            .Concat(L.TestClasses.Select(c => SyntheticWorldLayout.Prompt(c.Name)));
        foreach (var t in texts)
            Assert.All(BasicTokenizer.Uncased.Tokenize(t), tok => Assert.Contains(tok, set));
        Assert.Equal("this is a sound of krumb", SyntheticWorldLayout.Prompt("krumb"));
    }
}
