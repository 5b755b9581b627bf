using ClapAudit.Common;
using ClapAudit.Data;

namespace ClapAudit.Evaluation;

/// <summary>
/// Writes a retrieval bundle (<see cref="RetrievalBundle"/>) for <c>embed --retrieval</c>: E_a of every distinct
/// clip in the order its first caption appears, E_t of every caption in reader order, <c>caption_audio.npy</c>
/// (int64), <c>items.txt</c> (clip file names) and <c>captions.txt</c> (one caption a line, line breaks as spaces).
/// The test split of each dataset: Clotho's <c>evaluation</c>, AudioCaps' <c>test</c>. Same preprocessing and
/// determinism as <c>embed</c> (offset 0, eval mode).
/// </summary>
public static class RetrievalExport
{
    /// <summary>"clotho=DIR" or "audiocaps=DIR" to the test pairs of that dataset.</summary>
    public static IReadOnlyList<AudioTextPair> ReadPairs(string spec, string? audioCapsPattern = null)
    {
        int eq = spec.IndexOf('=');
        Guard.Setting(eq > 0, $"--retrieval '{spec}': expected clotho=DIR or audiocaps=DIR");
        string name = spec[..eq].Trim().ToLowerInvariant(), dir = spec[(eq + 1)..];
        var read = name switch
        {
            ClothoReader.Name => ClothoReader.Read(dir, new ClothoOptions(["evaluation"])),
            AudioCapsReader.Name => AudioCapsReader.Read(dir, new AudioCapsOptions(audioCapsPattern ?? AudioCapsOptions.DefaultPattern, ["test"])),
            _ => throw new ClapAuditException(ErrorKind.InvalidSetting, $"--retrieval '{spec}': dataset must be clotho or audiocaps"),
        };
        Guard.Data(read.Pairs.Count > 0, $"{dir}: no {name} test pairs with audio found");
        return read.Pairs;
    }

    public static void Export(LoadedClap model, IReadOnlyList<AudioTextPair> pairs, string bundleDir, int batchSize = 32,
        IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var clipRow = new Dictionary<string, int>(StringComparer.Ordinal);
        var clips = new List<string>();
        var captionAudio = new long[pairs.Count];
        for (int j = 0; j < pairs.Count; j++)
        {
            if (!clipRow.TryGetValue(pairs[j].AudioPath, out int row))
            {
                clipRow[pairs[j].AudioPath] = row = clips.Count;
                clips.Add(pairs[j].AudioPath);
            }
            captionAudio[j] = row;
        }
        model.Model.eval();
        model.FrontEnd.eval();
        var (_, ea) = ClapEmbedder.Audio(clips, model.Preprocessing, model.FrontEnd, m => model.Model.EncodeAudio(m), model.Device,
            batchSize, progress, ct);
        var (_, et) = ClapEmbedder.Text(pairs.Select(p => p.Caption).ToList(), model.Tokenizer, model.TextLength,
            (ids, mask) => model.Model.EncodeText(ids, mask), model.Device, batchSize, ct);
        Directory.CreateDirectory(bundleDir);
        NpyArray.WriteFloat32(Path.Combine(bundleDir, EmbeddingBundle.AudioFile), ea!.Values, ea.Rows, ea.Columns);
        NpyArray.WriteFloat32(Path.Combine(bundleDir, EmbeddingBundle.TextFile), et!.Values, et.Rows, et.Columns);
        NpyArray.WriteInt64(Path.Combine(bundleDir, RetrievalBundle.CaptionAudioFile), captionAudio, captionAudio.Length);
        AtomicFile.WriteAllText(Path.Combine(bundleDir, RetrievalBundle.ItemsFile), string.Concat(clips.Select(c => Path.GetFileName(c) + "\n")));
        AtomicFile.WriteAllText(Path.Combine(bundleDir, RetrievalBundle.CaptionsFile),
            string.Concat(pairs.Select(p => p.Caption.ReplaceLineEndings(" ") + "\n")));
    }
}
