using System.Security.Cryptography;
using System.Text.Json;
using ClapAudit.Text;

namespace ClapAudit.Tests.Text;

/// <summary>
/// Ids against Hugging Face <c>tokenizers</c> (npm), made by tools/tokenizer_reference/make_reference.js
/// over tools/tokenizer_reference/sentences.json (ESC-50 prompts, captions with punctuation, accents,
/// numbers, hyphens, very long words, CJK, emoji, tabs, "~", empty strings, literal special tokens).
/// </summary>
public class BertTokenizerTests
{
    private static readonly Lazy<BertTokenizer> Tokenizer = new(() => BertTokenizer.Load(Fixtures.Path("text", "bert-base-uncased-vocab.txt")));

    public static IEnumerable<object[]> References()
    {
        foreach (var line in File.ReadLines(Fixtures.Path("text", "wordpiece-reference.jsonl")))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            yield return new object[]
            {
                r.GetProperty("text").GetString()!, r.GetProperty("max_length").GetInt32(),
                r.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                r.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            };
        }
    }

    [Fact]
    public void VocabularyFixtureIsTheBertBaseUncasedFile()
    {
        var md5 = Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(Fixtures.Path("text", "bert-base-uncased-vocab.txt"))));
        Assert.Equal("64800d5d8528ce344256daf115d4965e", md5);
        var v = Tokenizer.Value.Vocabulary;
        Assert.Equal(30522, v.Count);
        Assert.Equal((0, 100, 101, 102, 103), (v.PadId, v.UnkId, v.ClsId, v.SepId, v.MaskId));
    }

    [Fact]
    public void AllReferenceEncodingsEqualHuggingFace()
    {
        var refs = References().ToList();
        Assert.True(refs.Count >= 300, $"expected at least 300 reference encodings, found {refs.Count}");
        Assert.True(refs.Count(r => (int)r[1] == 0) >= 200);
        var failures = new List<string>();
        foreach (var r in refs)
        {
            var (text, maxLength, ids, tokens) = ((string)r[0], (int)r[1], (int[])r[2], (string[])r[3]);
            var got = Tokenizer.Value.Encode(text, maxLength);
            if (!got.Ids.SequenceEqual(ids) || !got.Tokens.SequenceEqual(tokens))
                failures.Add($"{JsonSerializer.Serialize(text)} (max {maxLength}): expected [{string.Join(",", ids)}], got [{string.Join(",", got.Ids)}] {string.Join(" ", got.Tokens)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {refs.Count} differ:\n" + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void TruncationKeepsSepAndBatchPadsWithZeros()
    {
        var t = Tokenizer.Value;
        var e = t.Encode(string.Join(' ', Enumerable.Repeat("dog", 300)));
        Assert.Equal(BertTokenizer.DefaultMaxLength, e.Ids.Length);
        Assert.Equal(102, e.Ids[^1]);
        var batch = t.EncodeBatch(["dog", "a dog"], padding: TokenPadding.Longest);
        Assert.Equal((2, 4), (batch.Count, batch.Length));
        Assert.Equal(new long[] { 101, 3899, 102, 0, 101, 1037, 3899, 102 }, batch.InputIds);
        Assert.Equal(new long[] { 1, 1, 1, 0, 1, 1, 1, 1 }, batch.AttentionMask);
        var full = t.EncodeBatch(["dog"], padding: TokenPadding.MaxLength);
        Assert.Equal(100, full.Length);
    }

    [Fact]
    public void PromptReplacesUnderscores()
    {
        Assert.Equal("this is a sound of door wood knock", PromptTemplate.Msclap2022.Apply("door_wood_knock"));
    }
}
