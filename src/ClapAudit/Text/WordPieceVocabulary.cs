using ClapAudit.Common;

namespace ClapAudit.Text;

/// <summary>
/// A BERT <c>vocab.txt</c>: one token a line, the id is the line number (0-based). Keeps the
/// special tokens' ids, which Hugging Face reads from the same file.
/// </summary>
public sealed class WordPieceVocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly string[] _tokens;

    public WordPieceVocabulary(IReadOnlyList<string> tokens, string source = "vocabulary")
    {
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
            _ids.TryAdd(_tokens[i], i); // HF keeps the first id of a duplicated line too
        PadId = Require("[PAD]", source);
        UnkId = Require("[UNK]", source);
        ClsId = Require("[CLS]", source);
        SepId = Require("[SEP]", source);
        MaskId = _ids.TryGetValue("[MASK]", out int m) ? m : -1;
    }

    /// <summary>Reads a vocab.txt (UTF-8, one token a line; a trailing newline adds no entry).</summary>
    public static WordPieceVocabulary Load(string path)
    {
        Guard.FileExists(path, "vocabulary file (vocab.txt)");
        var lines = File.ReadAllText(path).Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0) count--;
        var tokens = new string[count];
        for (int i = 0; i < count; i++) tokens[i] = lines[i].TrimEnd('\r');
        Guard.Data(count > 0, $"{path}: empty vocabulary");
        return new WordPieceVocabulary(tokens, path);
    }

    public int Count => _tokens.Length;
    public int PadId { get; }
    public int UnkId { get; }
    public int ClsId { get; }
    public int SepId { get; }
    /// <summary>The [MASK] id, or -1 when the vocabulary has none.</summary>
    public int MaskId { get; }

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);
    public string Token(int id) => _tokens[id];

    private int Require(string token, string source) =>
        _ids.TryGetValue(token, out int id) ? id
            : throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: special token {token} is missing from the vocabulary");
}
