using ClapAudit.Common;

namespace ClapAudit.Evaluation;

/// <summary>
/// Writes an embedding bundle folder (docs/formats.md): embeddings as float32, labels as int64,
/// classes.txt as UTF-8 lines. Validates first, so a written bundle always loads. The bundle is written
/// whole: into <c>FOLDER.tmp</c> first, then swapped in, so an old bundle's files never stay beside the
/// new ones (an old audio.npy beside new backbone files would make analyze compare two models as one).
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

    /// <param name="bundle">The validated bundle.</param>
    /// <param name="folder">The bundle folder; other files in it (a grid step's marker) are left alone.</param>
    /// <param name="writeExtras">Writes further files of the bundle (items.txt) into the staging folder given.</param>
    public static void Write(EmbeddingBundle bundle, string folder, Action<string>? writeExtras = null)
    {
        foreach (var name in bundle.ClassNames)
            Guard.Data(!name.Contains('\n') && name.Trim().Length > 0, $"class name '{name}' must be non-empty and on one line");
        string target = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        Guard.NotAFile(folder, "bundle folder");
        string staging = target + ".tmp";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            string F(string name) => Path.Combine(staging, name);
            if (bundle.Audio is not null) WriteMatrix(F(EmbeddingBundle.AudioFile), bundle.Audio);
            if (bundle.Text is not null) WriteMatrix(F(EmbeddingBundle.TextFile), bundle.Text);
            if (bundle.AudioBackbone is not null)
                WriteMatrix(F(EmbeddingBundle.AudioBackboneFile), bundle.AudioBackbone);
            if (bundle.TextBackbone is not null) WriteMatrix(F(EmbeddingBundle.TextBackboneFile), bundle.TextBackbone);
            long[] labels = bundle.Labels.Select(l => (long)l).ToArray();
            NpyArray.WriteInt64(F(EmbeddingBundle.LabelsFile), labels, labels.Length);
            if (bundle.Folds is not null)
                NpyArray.WriteInt64(F(EmbeddingBundle.FoldsFile), bundle.Folds.Select(f => (long)f).ToArray(), bundle.Folds.Length);
            AtomicFile.WriteAllText(F(EmbeddingBundle.ClassesFile), string.Join("\n", bundle.ClassNames) + "\n");
            writeExtras?.Invoke(staging);
            SwapIn(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The files a bundle may hold; an existing bundle's are removed before the new ones move in.</summary>
    public static readonly string[] BundleFiles =
    [
        EmbeddingBundle.LabelsFile, EmbeddingBundle.AudioFile, EmbeddingBundle.TextFile,
        EmbeddingBundle.AudioBackboneFile, EmbeddingBundle.TextBackboneFile, EmbeddingBundle.ClassesFile,
        EmbeddingExport.ItemsFile, EmbeddingBundle.FoldsFile,
    ];

    /// <summary>
    /// Replaces the bundle files of <paramref name="target"/> by those of <paramref name="staging"/>.
    /// labels.npy goes first and comes back last: while it is absent the folder does not load as a bundle,
    /// so a crash mid-swap leaves a folder that is refused, never two models' files that load as one.
    /// </summary>
    private static void SwapIn(string staging, string target)
    {
        Directory.CreateDirectory(target);
        var incoming = Directory.GetFiles(staging).Select(Path.GetFileName).OfType<string>().ToList();
        foreach (var name in BundleFiles.Concat(incoming).Distinct(StringComparer.Ordinal))
        {
            string old = Path.Combine(target, name);
            if (File.Exists(old)) File.Delete(old);
        }
        foreach (var name in incoming.OrderBy(n => n == EmbeddingBundle.LabelsFile))
            File.Move(Path.Combine(staging, name), Path.Combine(target, name));
    }

    private static void WriteMatrix(string path, EmbeddingMatrix m) =>
        NpyArray.WriteFloat32(path, m.Values.Select(v => (float)v).ToArray(), m.Rows, m.Columns);
}
