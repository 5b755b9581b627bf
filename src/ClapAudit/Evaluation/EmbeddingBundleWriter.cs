using ClapAudit.Common;

namespace ClapAudit.Evaluation;

/// <summary>
/// Writes an embedding bundle folder (docs/formats.md): embeddings as float32, labels as int64,
/// classes.txt as UTF-8 lines; each file atomically. Validates first, so a written bundle always loads.
/// </summary>
public static class EmbeddingBundleWriter
{
    /// <remarks>audio and text null (both) writes a backbone-only bundle (x_a required, x_t optional).</remarks>
    public static void Write(string folder, EmbeddingMatrix? audio, EmbeddingMatrix? text, IReadOnlyList<int> labels,
        IReadOnlyList<string> classNames, EmbeddingMatrix? audioBackbone = null, EmbeddingMatrix? textBackbone = null)
    {
        var bundle = new EmbeddingBundle(folder, audio, text, labels.ToArray(), classNames, audioBackbone, textBackbone);
        Write(bundle, folder);
    }

    public static void Write(EmbeddingBundle bundle, string folder)
    {
        foreach (var name in bundle.ClassNames)
            Guard.Data(!name.Contains('\n') && name.Trim().Length > 0, $"class name '{name}' must be non-empty and on one line");
        Directory.CreateDirectory(folder);
        string F(string name) => Path.Combine(folder, name);
        if (bundle.Audio is not null) WriteMatrix(F(EmbeddingBundle.AudioFile), bundle.Audio);
        if (bundle.Text is not null) WriteMatrix(F(EmbeddingBundle.TextFile), bundle.Text);
        if (bundle.AudioBackbone is not null) WriteMatrix(F(EmbeddingBundle.AudioBackboneFile), bundle.AudioBackbone);
        if (bundle.TextBackbone is not null) WriteMatrix(F(EmbeddingBundle.TextBackboneFile), bundle.TextBackbone);
        NpyArray.WriteInt64(F(EmbeddingBundle.LabelsFile), bundle.Labels.Select(l => (long)l).ToArray(), bundle.Labels.Length);
        AtomicFile.WriteAllText(F(EmbeddingBundle.ClassesFile), string.Join("\n", bundle.ClassNames) + "\n");
    }

    private static void WriteMatrix(string path, EmbeddingMatrix m) =>
        NpyArray.WriteFloat32(path, m.Values.Select(v => (float)v).ToArray(), m.Rows, m.Columns);
}
