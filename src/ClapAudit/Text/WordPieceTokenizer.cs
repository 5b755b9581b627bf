namespace ClapAudit.Text;

/// <summary>
/// WordPiece as Hugging Face defines it: greedy longest-match-first from the start of a word,
/// continuation pieces carry the "##" prefix; a word longer than <see cref="MaxInputCharsPerWord"/>
/// characters, or one with any piece missing from the vocabulary, becomes a single [UNK].
/// </summary>
public sealed class WordPieceTokenizer
{
    public const string ContinuationPrefix = "##";

    public WordPieceTokenizer(WordPieceVocabulary vocabulary, int maxInputCharsPerWord = 100)
    {
        Vocabulary = vocabulary;
        MaxInputCharsPerWord = maxInputCharsPerWord;
    }

    public WordPieceVocabulary Vocabulary { get; }
    public int MaxInputCharsPerWord { get; }

    /// <summary>Appends the pieces of one pre-tokenised word (no whitespace inside) to <paramref name="ids"/>.</summary>
    public void TokenizeWord(string word, List<int> ids)
    {
        // Characters are Unicode scalar values, as in the Rust implementation (not UTF-16 units).
        int[] starts = RuneStarts(word);
        int charCount = starts.Length - 1;
        if (charCount > MaxInputCharsPerWord)
        {
            ids.Add(Vocabulary.UnkId);
            return;
        }
        int before = ids.Count;
        int start = 0;
        while (start < charCount)
        {
            int end = charCount;
            int found = -1;
            while (start < end)
            {
                string sub = word[starts[start]..starts[end]];
                if (start > 0) sub = ContinuationPrefix + sub;
                if (Vocabulary.TryGetId(sub, out int id))
                {
                    found = id;
                    break;
                }
                end--;
            }
            if (found < 0)
            {
                ids.RemoveRange(before, ids.Count - before);
                ids.Add(Vocabulary.UnkId);
                return;
            }
            ids.Add(found);
            start = end;
        }
    }

    private static int[] RuneStarts(string word)
    {
        var starts = new List<int>(word.Length + 1);
        int i = 0;
        while (i < word.Length)
        {
            starts.Add(i);
            i += char.IsSurrogatePair(word, i) ? 2 : 1;
        }
        starts.Add(word.Length);
        return starts.ToArray();
    }
}
