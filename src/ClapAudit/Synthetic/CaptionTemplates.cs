using System.Text;
using System.Text.RegularExpressions;

namespace ClapAudit.Synthetic;

/// <summary>How a caption refers to its class.</summary>
public enum Naming { Name, Synonym, None }

/// <summary>
/// The world's sentences: caption templates (for the Clotho-style data) and corpus templates (for
/// the text backbone's pre-training), filled with a class word and its attribute words. Slots:
/// {n} class word, {p} pitch, {r} rhythm, {s} source noun, {e} envelope, {c} context.
/// </summary>
public static partial class CaptionTemplates
{
    public static readonly string[] Named =
    [
        "a {n} makes a {p} {r} {s} {c}",
        "the {p} {s} of a {n}, {r} and {e}",
        "a {n} is heard {c}, {e} and {p}",
        "{c}, a {n} gives off a {r} {s}",
        "a {e} {p} {s} comes from a {n} {c}",
        "someone records a {n} {c} while it sounds {r}",
        "there is a {n} {c} with a {p} {r} {s}",
        "a {r} {s} from a {n} that sounds {p} and {e}",
    ];

    public static readonly string[] Nameless =
    [
        "a {p} {r} {s} {c}",
        "{c}, a {e} {s} that is {p} and {r}",
        "something makes a {p} {s} {c}, {r}",
    ];

    /// <summary>Corpus contexts: each is written once with the name and once with the synonym.</summary>
    public static readonly string[] Corpus =
    [
        "a {n} sounds {p} and {r}",
        "you can hear a {n} {c}",
        "the {n} makes a {e} {s}",
        "a {n} is a kind of {p} {s}",
        "the sound of a {n} is {r}",
        "i heard a {n} {c}, {p} and {e}",
        "a {n} always gives a {r} {s}",
        "people say the {n} is {p} and {e}",
        "this is a sound of {n}",
        "a {e} {s} {c} means a {n}",
    ];

    /// <summary>The prompt the zero-shot evaluation uses, so its words are in the world's vocabulary.</summary>
    public const string Prompt = "this is a sound of {n}";

    /// <summary>The attribute words one fill uses, drawn from the class's variants.</summary>
    internal sealed record Fill(string Pitch, string Rhythm, string Source, string Envelope, string Context)
    {
        public static Fill Draw(SoundClass c, WorldRandom rng) => new(
            rng.Pick(SoundVocabulary.PitchWords[c.Pitch]),
            rng.Pick(SoundVocabulary.RhythmPhrases(c.Rhythm)),
            rng.Pick(SoundVocabulary.SourceNouns(c.Source)),
            rng.Pick(SoundVocabulary.EnvelopeWords(c.Envelope)),
            rng.Pick(SoundVocabulary.Contexts));
    }

    /// <summary>A caption of class <paramref name="c"/> naming it as <paramref name="naming"/> says.</summary>
    internal static string Caption(SoundClass c, Naming naming, WorldRandom rng)
    {
        var fill = Fill.Draw(c, rng);
        return naming switch
        {
            Naming.None => Sentence(rng.Pick(Nameless), "", fill),
            Naming.Name => Sentence(rng.Pick(Named), c.Name, fill),
            _ => Sentence(rng.Pick(Named), c.Synonym, fill),
        };
    }

    /// <summary>Fills a template, fixes "a" before a vowel, capitalises and ends with a full stop.</summary>
    internal static string Sentence(string template, string word, Fill fill)
    {
        string s = template.Replace("{n}", word).Replace("{p}", fill.Pitch).Replace("{r}", fill.Rhythm)
            .Replace("{s}", fill.Source).Replace("{e}", fill.Envelope).Replace("{c}", fill.Context);
        s = ArticleBeforeVowel().Replace(s, "${1}an ${2}");
        var sb = new StringBuilder(s.Length + 1);
        sb.Append(char.ToUpperInvariant(s[0])).Append(s, 1, s.Length - 1).Append('.');
        return sb.ToString();
    }

    /// <summary>Every word the templates themselves use (lower case), outside the slots.</summary>
    public static IReadOnlySet<string> TemplateWords()
    {
        var words = new HashSet<string>(StringComparer.Ordinal) { "an" };
        foreach (var t in Named.Concat(Nameless).Concat(Corpus).Append(Prompt))
            foreach (var w in SlotOrPunctuation().Replace(t, " ").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                words.Add(w);
        return words;
    }

    [GeneratedRegex(@"(^|\s)a ([aeiou])")]
    private static partial Regex ArticleBeforeVowel();

    [GeneratedRegex(@"\{[a-z]\}|[,.]")]
    private static partial Regex SlotOrPunctuation();
}
