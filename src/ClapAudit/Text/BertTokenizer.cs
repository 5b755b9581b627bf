using System.Text.Json;
using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Text;

/// <summary>How a batch is padded: to its longest text, or always to the maximum length (msclap pads to 100).</summary>
public enum TokenPadding { Longest, MaxLength }

/// <summary>One encoded text: ids and their tokens, [CLS] first and [SEP] last, no padding.</summary>
public sealed record TokenizedText(int[] Ids, string[] Tokens);

/// <summary>A padded batch: row-major (Count, Length) int64 ids and attention mask (1 real, 0 padding).</summary>
public sealed record TokenBatch(long[] InputIds, long[] AttentionMask, int Count, int Length)
{
    /// <summary>The ids and the mask as (Count, Length) int64 tensors.</summary>
    public (Tensor InputIds, Tensor AttentionMask) ToTensors(Device? device = null)
    {
        var ids = torch.tensor(InputIds, new long[] { Count, Length }, dtype: ScalarType.Int64);
        var mask = torch.tensor(AttentionMask, new long[] { Count, Length }, dtype: ScalarType.Int64);
        if (device is null || device.type == DeviceType.CPU) return (ids, mask);
        var result = (ids.to(device), mask.to(device));
        ids.Dispose();
        mask.Dispose();
        return result;
    }
}

/// <summary>
/// The bert-base-uncased tokeniser, equal to Hugging Face <c>tokenizers</c>: the special tokens
/// written literally in a text ([CLS], [SEP], [PAD], [UNK], [MASK]) are kept whole, as HF's added
/// tokens are; the rest goes through <see cref="BasicTokenizer"/> and <see cref="WordPieceTokenizer"/>;
/// the result is [CLS] pieces [SEP], truncated so that the total length is at most maxLength
/// (the final [SEP] is kept).
/// </summary>
public sealed class BertTokenizer
{
    /// <summary>msclap's text_len: captions are cut to 100 tokens, [CLS] and [SEP] included.</summary>
    public const int DefaultMaxLength = 100;

    private static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
    private readonly string[] _specialInVocab;

    public BertTokenizer(WordPieceVocabulary vocabulary, BasicTokenizer? basic = null, int maxInputCharsPerWord = 100)
    {
        Vocabulary = vocabulary;
        Basic = basic ?? BasicTokenizer.Uncased;
        WordPiece = new WordPieceTokenizer(vocabulary, maxInputCharsPerWord);
        _specialInVocab = SpecialTokens.Where(t => vocabulary.TryGetId(t, out _)).ToArray();
    }

    public WordPieceVocabulary Vocabulary { get; }
    public BasicTokenizer Basic { get; }
    public WordPieceTokenizer WordPiece { get; }

    /// <summary>
    /// Loads from a vocab.txt, or from a Hugging Face folder (vocab.txt; tokenizer_config.json's
    /// do_lower_case / strip_accents and tokenizer.json's normaliser settings when present).
    /// </summary>
    public static BertTokenizer Load(string vocabFileOrFolder)
    {
        if (!Directory.Exists(vocabFileOrFolder)) return new BertTokenizer(WordPieceVocabulary.Load(vocabFileOrFolder));
        var vocab = WordPieceVocabulary.Load(Path.Combine(vocabFileOrFolder, "vocab.txt"));
        bool lowerCase = true;
        bool? stripAccents = null;
        int maxChars = 100;
        string tokJson = Path.Combine(vocabFileOrFolder, "tokenizer.json");
        string cfgJson = Path.Combine(vocabFileOrFolder, "tokenizer_config.json");
        try
        {
            if (File.Exists(tokJson))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(tokJson));
                if (doc.RootElement.TryGetProperty("normalizer", out var n) && n.ValueKind == JsonValueKind.Object)
                {
                    if (n.TryGetProperty("lowercase", out var lc) && lc.ValueKind is JsonValueKind.True or JsonValueKind.False) lowerCase = lc.GetBoolean();
                    if (n.TryGetProperty("strip_accents", out var sa) && sa.ValueKind is JsonValueKind.True or JsonValueKind.False) stripAccents = sa.GetBoolean();
                }
                if (doc.RootElement.TryGetProperty("model", out var m) && m.TryGetProperty("max_input_chars_per_word", out var mc) && mc.ValueKind == JsonValueKind.Number)
                    maxChars = mc.GetInt32();
            }
            else if (File.Exists(cfgJson))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(cfgJson));
                if (doc.RootElement.TryGetProperty("do_lower_case", out var lc) && lc.ValueKind is JsonValueKind.True or JsonValueKind.False) lowerCase = lc.GetBoolean();
                if (doc.RootElement.TryGetProperty("strip_accents", out var sa) && sa.ValueKind is JsonValueKind.True or JsonValueKind.False) stripAccents = sa.GetBoolean();
            }
        }
        catch (JsonException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{vocabFileOrFolder}: tokenizer settings are not valid JSON: {e.Message}", e);
        }
        var basic = lowerCase && stripAccents is null ? BasicTokenizer.Uncased : new BasicTokenizer(lowerCase, stripAccents);
        return new BertTokenizer(vocab, basic, maxChars);
    }

    /// <summary>Encodes one text as [CLS] pieces [SEP]; maxLength &lt;= 0 means no truncation.</summary>
    public TokenizedText Encode(string text, int maxLength = DefaultMaxLength)
    {
        Guard.Setting(maxLength <= 0 || maxLength >= 2, $"max length must be at least 2 ([CLS] and [SEP]), got {maxLength}");
        var pieces = new List<int>();
        int pos = 0;
        while (pos <= text.Length)
        {
            (int at, string? special) = NextSpecial(text, pos);
            string segment = text[pos..at];
            foreach (string word in Basic.Tokenize(segment)) WordPiece.TokenizeWord(word, pieces);
            if (special is null) break;
            pieces.Add(Vocabulary.TryGetId(special, out int sid) ? sid : Vocabulary.UnkId);
            pos = at + special.Length;
        }
        if (maxLength > 0 && pieces.Count > maxLength - 2) pieces.RemoveRange(maxLength - 2, pieces.Count - (maxLength - 2));
        var ids = new int[pieces.Count + 2];
        ids[0] = Vocabulary.ClsId;
        pieces.CopyTo(ids, 1);
        ids[^1] = Vocabulary.SepId;
        return new TokenizedText(ids, ids.Select(Vocabulary.Token).ToArray());
    }

    /// <summary>Encodes and pads a batch ([PAD] id, mask 0 on padding).</summary>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts, int maxLength = DefaultMaxLength, TokenPadding padding = TokenPadding.Longest)
    {
        Guard.Setting(padding == TokenPadding.Longest || maxLength > 0, "padding to the maximum length needs a positive max length");
        var encoded = texts.Select(t => Encode(t, maxLength)).ToArray();
        int length = padding == TokenPadding.MaxLength ? maxLength : encoded.Select(e => e.Ids.Length).DefaultIfEmpty(2).Max();
        var ids = new long[encoded.Length * length];
        var mask = new long[encoded.Length * length];
        for (int i = 0; i < encoded.Length; i++)
        {
            var row = encoded[i].Ids;
            for (int j = 0; j < length; j++)
            {
                bool real = j < row.Length;
                ids[i * length + j] = real ? row[j] : Vocabulary.PadId;
                mask[i * length + j] = real ? 1 : 0;
            }
        }
        return new TokenBatch(ids, mask, encoded.Length, length);
    }

    /// <summary>The leftmost special token at or after <paramref name="from"/> (the longest one on a tie).</summary>
    private (int At, string? Token) NextSpecial(string text, int from)
    {
        int best = text.Length;
        string? token = null;
        foreach (string s in _specialInVocab)
        {
            int i = text.IndexOf(s, from, StringComparison.Ordinal);
            if (i >= 0 && (i < best || (i == best && token is not null && s.Length > token.Length)))
            {
                best = i;
                token = s;
            }
        }
        return (best, token);
    }
}
