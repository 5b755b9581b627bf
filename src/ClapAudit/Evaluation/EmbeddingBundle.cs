using ClapAudit.Common;

namespace ClapAudit.Evaluation;

/// <summary>
/// An embedding bundle (docs/formats.md): a folder any CLAP-style model can export to.
/// <c>labels.npy</c> (n class indices) and <c>classes.txt</c> (C names) are always required;
/// <c>audio.npy</c> (E_a, n x d) and <c>text.npy</c> (E_t, C x d) come together; <c>audio_backbone.npy</c>
/// (x_a, n x d_a) and <c>text_backbone.npy</c> (x_t, C x d_t) are optional. A backbone-only bundle
/// (<c>embed --backbones-only</c>, the paper's Figure 4) has no E_a/E_t but must have x_a.
/// Absent arrays are null.
/// </summary>
public sealed class EmbeddingBundle
{
    public const string AudioFile = "audio.npy";
    public const string AudioBackboneFile = "audio_backbone.npy";
    public const string TextFile = "text.npy";
    public const string TextBackboneFile = "text_backbone.npy";
    public const string LabelsFile = "labels.npy";
    public const string ClassesFile = "classes.txt";
    public const string FoldsFile = "folds.npy";

    public string Path { get; }
    /// <summary>E_a; null in a backbone-only bundle.</summary>
    public EmbeddingMatrix? Audio { get; }
    public EmbeddingMatrix? AudioBackbone { get; }
    /// <summary>E_t; null in a backbone-only bundle.</summary>
    public EmbeddingMatrix? Text { get; }
    public EmbeddingMatrix? TextBackbone { get; }
    public int[] Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>The fold of each item (folds.npy: ESC-50 1..5); null when the bundle has none.</summary>
    public int[]? Folds { get; }

    public int ItemCount => Labels.Length;
    public int ClassCount => ClassNames.Count;
    /// <summary>True when the bundle has no joint-space embeddings (E_a, E_t), only backbone outputs.</summary>
    public bool IsBackboneOnly => Audio is null;

    /// <summary>Builds a bundle from arrays in memory, checking that they fit together.</summary>
    /// <remarks>audio and text: both present, or both null for a backbone-only bundle (then audioBackbone is required).</remarks>
    public EmbeddingBundle(string path, EmbeddingMatrix? audio, EmbeddingMatrix? text, int[] labels, IReadOnlyList<string> classNames,
        EmbeddingMatrix? audioBackbone = null, EmbeddingMatrix? textBackbone = null, int[]? folds = null)
    {
        Path = path;
        Folds = folds;
        Audio = audio;
        Text = text;
        Labels = labels;
        ClassNames = classNames;
        AudioBackbone = audioBackbone;
        TextBackbone = textBackbone;
        Validate();
    }

    /// <summary>Reads and validates a bundle folder; every error names the file and the problem.</summary>
    public static EmbeddingBundle Load(string folder)
    {
        Guard.DirectoryExists(folder, "bundle folder");
        string F(string name) => System.IO.Path.Combine(folder, name);

        var classes = ReadClasses(F(ClassesFile));
        // Backbone-only when neither joint-space file is there but x_a is; otherwise E_a and E_t are required.
        bool backboneOnly = !File.Exists(F(AudioFile)) && !File.Exists(F(TextFile)) && File.Exists(F(AudioBackboneFile));
        var audio = ReadMatrix(F(AudioFile), required: !backboneOnly);
        var text = ReadMatrix(F(TextFile), required: !backboneOnly);
        var audioBackbone = ReadMatrix(F(AudioBackboneFile), required: false);
        var textBackbone = ReadMatrix(F(TextBackboneFile), required: false);
        var labels = ReadLabels(F(LabelsFile), classes.Length);
        var folds = File.Exists(F(FoldsFile)) ? ReadFolds(F(FoldsFile)) : null;

        return new EmbeddingBundle(folder, audio, text, labels, classes, audioBackbone, textBackbone, folds);
    }

    private void Validate()
    {
        string F(string name) => System.IO.Path.Combine(Path, name);
        Guard.Match((Audio is null) == (Text is null),
            Audio is null ? $"{F(AudioFile)}: missing, but {F(TextFile)} is present (E_a and E_t come together)"
                          : $"{F(TextFile)}: missing, but {F(AudioFile)} is present (E_a and E_t come together)");
        Guard.Match(Audio is not null || AudioBackbone is not null,
            $"{F(AudioFile)}: missing, and no {AudioBackboneFile} either (a backbone-only bundle needs x_a)");
        var items = (Audio ?? AudioBackbone)!;
        string itemsFile = Audio is not null ? AudioFile : AudioBackboneFile;
        int n = items.Rows, c = ClassNames.Count;
        Guard.Data(n > 0, $"{F(itemsFile)}: no rows");
        Guard.Data(c > 0, $"{F(ClassesFile)}: no class names");
        Guard.Match(Labels.Length == n, $"{F(LabelsFile)}: {Labels.Length} labels, but {F(itemsFile)} has {n} rows");
        for (int i = 0; i < Labels.Length; i++)
            if (Labels[i] < 0 || Labels[i] >= c)
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{F(LabelsFile)}: label {Labels[i]} at index {i} is outside classes.txt (0..{c - 1})");
        if (Audio is not null && Text is not null)
        {
            Guard.Match(Text.Rows == c, $"{F(TextFile)}: {Text.Rows} rows, but {F(ClassesFile)} names {c} classes");
            Guard.Match(Text.Columns == Audio.Columns,
                $"{F(TextFile)}: dimension {Text.Columns} differs from {F(AudioFile)}'s {Audio.Columns}");
        }
        if (AudioBackbone is not null)
            Guard.Match(AudioBackbone.Rows == n, $"{F(AudioBackboneFile)}: {AudioBackbone.Rows} rows, but {F(itemsFile)} has {n}");
        if (Folds is not null)
            Guard.Match(Folds.Length == n, $"{F(FoldsFile)}: {Folds.Length} folds, but {F(itemsFile)} has {n} rows");
        if (TextBackbone is not null)
            Guard.Match(TextBackbone.Rows == c, $"{F(TextBackboneFile)}: {TextBackbone.Rows} rows, but {F(ClassesFile)} names {c} classes");
    }

    private static string[] ReadClasses(string path)
    {
        Guard.FileExists(path);
        // Size 0 before opening: an empty file has no names, and a FIFO (size 0 too) would block the open.
        Guard.Data(new FileInfo(path).Length > 0,
            $"{path}: empty (or not a regular file); expected one class name per line");
        byte[] bytes = File.ReadAllBytes(path);
        string text;
        try { text = Data.StrictUtf8.Encoding.GetString(bytes); }
        catch (System.Text.DecoderFallbackException e)
        {
            int line = 1 + bytes.AsSpan(0, Math.Clamp(e.Index, 0, bytes.Length)).Count((byte)'\n');
            throw Data.StrictUtf8.Error(path, line, e);
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        Guard.Data(lines.Count > 0, $"{path}: no class names (expected one class name per line)");
        for (int i = 0; i < lines.Count; i++)
            Guard.Data(lines[i].Trim().Length > 0, $"{path}: line {i + 1} is empty (one class name per line expected)");
        return lines.ToArray();
    }

    internal static EmbeddingMatrix? ReadMatrix(string path, bool required)
    {
        if (!File.Exists(path))
        {
            if (required) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: file not found");
            return null;
        }
        var npy = NpyArray.Read(path);
        Guard.Data(!npy.IsInteger && npy.DType.Contains('f'),
            $"{path}: dtype {npy.DType}, expected floating point (float16, float32 or float64)");
        Guard.Data(npy.Rank == 2, $"{path}: shape {ShapeText(npy.Shape)}, expected 2 dimensions (rows x dimension)");
        Guard.Data(npy.Shape[1] > 0, $"{path}: shape {ShapeText(npy.Shape)} has no columns");
        var values = npy.TakeDoubles();
        Guard.AllFinite(values, npy.Shape[1], path);
        return new EmbeddingMatrix(values, npy.Shape[0], npy.Shape[1]);
    }

    /// <summary>A shape as NumPy prints it: (80,) or (20, 4).</summary>
    private static string ShapeText(int[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    private static int[] ReadFolds(string path)
    {
        var npy = NpyArray.Read(path);
        Guard.Data(npy.IsInteger && !npy.DType.Contains('b') && npy.Rank == 1,
            $"{path}: dtype {npy.DType}, shape {ShapeText(npy.Shape)}, expected one integer fold per item");
        return npy.ToInt64Array(path).Select(f => (int)Math.Clamp(f, int.MinValue, int.MaxValue)).ToArray();
    }

    private static int[] ReadLabels(string path, int classCount)
    {
        Guard.FileExists(path);
        var npy = NpyArray.Read(path);
        Guard.Data(npy.IsInteger && !npy.DType.Contains('b'), $"{path}: dtype {npy.DType}, expected integer class indices (signed or unsigned, 8 to 64 bits)");
        Guard.Data(npy.Rank == 1, $"{path}: shape {ShapeText(npy.Shape)}, expected one dimension (n labels)");
        var raw = npy.ToInt64Array(path);
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] < 0 || raw[i] >= classCount)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: label {raw[i]} at index {i} is outside classes.txt (0..{classCount - 1})");
            labels[i] = (int)raw[i];
        }
        return labels;
    }
}
