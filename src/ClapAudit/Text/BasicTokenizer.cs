using System.Globalization;
using System.Text;

namespace ClapAudit.Text;

/// <summary>
/// BERT's basic (pre-WordPiece) tokenisation as Hugging Face's <c>tokenizers</c> does it for
/// bert-base-uncased: drop NUL, U+FFFD and control/format/unassigned/private characters; map
/// whitespace to spaces; put spaces around CJK ideographs; strip accents (NFD, drop Mn) and
/// lower-case; split on whitespace and on every punctuation character (ASCII punctuation and
/// Unicode P* categories), each punctuation character a token of its own.
/// Shared by the WordPiece tokeniser and the leakage filter, so both see the same words.
/// </summary>
public sealed class BasicTokenizer
{
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;

    /// <param name="lowerCase">Lower-case the text (bert-base-uncased: true).</param>
    /// <param name="stripAccents">Strip accents; null follows <paramref name="lowerCase"/>, as Hugging Face does.</param>
    public BasicTokenizer(bool lowerCase = true, bool? stripAccents = null)
    {
        _lowerCase = lowerCase;
        _stripAccents = stripAccents ?? lowerCase;
    }

    public static BasicTokenizer Uncased { get; } = new();

    /// <summary>The normalised text: cleaned, CJK spaced, accents stripped, lower-cased.</summary>
    public string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune)) { sb.Append(' '); continue; }
            if (IsChineseChar(cp)) { sb.Append(' '); AppendRune(sb, rune); sb.Append(' '); continue; }
            AppendRune(sb, rune);
        }
        string s = sb.ToString();
        // NFD + dropping marks only matters outside ASCII; skip the pass for plain ASCII text.
        if (_stripAccents && !System.Text.Ascii.IsValid(s)) s = StripAccents(s);
        if (_lowerCase) s = s.ToLowerInvariant();
        return s;
    }

    /// <summary>Words and punctuation marks, in order.</summary>
    public List<string> Tokenize(string text)
    {
        string s = Normalize(text);
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in s.EnumerateRunes())
        {
            if (IsWhitespace(rune))
            {
                Flush();
            }
            else if (IsPunctuation(rune))
            {
                Flush();
                tokens.Add(rune.ToString());
            }
            else AppendRune(current, rune);
        }
        Flush();
        return tokens;

        void Flush()
        {
            if (current.Length > 0) { tokens.Add(current.ToString()); current.Clear(); }
        }
    }

    private static string StripAccents(string s)
    {
        // ICU's NFD (the solution does not run in invariant-globalization mode, where Normalize would be a no-op).
        string d = s.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(d.Length);
        foreach (var rune in d.EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) AppendRune(sb, rune);
        return sb.ToString();
    }

    // Appends without allocating a string per character (this tokeniser runs over every caption).
    private static void AppendRune(StringBuilder sb, Rune rune)
    {
        if (rune.IsBmp) sb.Append((char)rune.Value);
        else
        {
            Span<char> pair = stackalloc char[2];
            sb.Append(pair[..rune.EncodeToUtf16(pair)]);
        }
    }

    private static bool IsWhitespace(Rune r) => r.Value is '\t' or '\n' or '\r' || Rune.IsWhiteSpace(r);

    private static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    internal static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsChineseChar(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
