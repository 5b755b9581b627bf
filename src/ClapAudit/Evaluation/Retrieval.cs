#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using ClapAudit.Common;

namespace ClapAudit.Evaluation;

/// <summary>Recall at 1, 5, 10 and mAP@10 of one retrieval direction.</summary>
public sealed record RetrievalScores(double R1, double R5, double R10, double Map10);

/// <summary>Text-to-audio and audio-to-text retrieval on one bundle: the <c>retrieval</c> entry of analyze's
/// JSON.</summary>
public sealed record RetrievalResult(
    [property: System.Text.Json.Serialization.JsonPropertyName("t2a")] RetrievalScores TextToAudio,
    [property: System.Text.Json.Serialization.JsonPropertyName("a2t")] RetrievalScores AudioToText,
    int Audio,
    int Captions);

/// <summary>
/// A retrieval bundle (<c>embed --retrieval</c>, docs/formats.md): <c>audio.npy</c> (one row per clip),
/// <c>text.npy</c> (one row per caption) and <c>caption_audio.npy</c> (integer, the audio row of each caption);
/// <c>items.txt</c> and <c>captions.txt</c> name the rows and are not needed to score.
/// </summary>
public sealed record RetrievalBundle(string Path, EmbeddingMatrix Audio, EmbeddingMatrix Text, int[] CaptionAudio)
{
    public const string CaptionAudioFile = "caption_audio.npy";
    public const string ItemsFile = "items.txt";
    public const string CaptionsFile = "captions.txt";

    public static bool IsRetrievalBundle(string folder) => File.Exists(System.IO.Path.Combine(folder, CaptionAudioFile));

    public static RetrievalBundle Load(string folder)
    {
        Guard.DirectoryExists(folder, "bundle folder");
        string F(string name) => System.IO.Path.Combine(folder, name);
        var audio = EmbeddingBundle.ReadMatrix(F(EmbeddingBundle.AudioFile), required: true)!;
        var text = EmbeddingBundle.ReadMatrix(F(EmbeddingBundle.TextFile), required: true)!;
        string path = F(CaptionAudioFile);
        var npy = NpyArray.Read(path);
        Guard.Data(npy.IsInteger && npy.Rank == 1, $"{path}: dtype {npy.DType} rank {npy.Rank}, expected a 1-D integer array (audio row per caption)");
        var map = npy.ToInt64Array(path).Select(v => (int)Math.Clamp(v, -1, int.MaxValue)).ToArray();
        Guard.Match(map.Length == text.Rows, $"{path}: {map.Length} entries, but {F(EmbeddingBundle.TextFile)} has {text.Rows} caption rows");
        return new RetrievalBundle(folder, audio, text, map);
    }
}

/// <summary>
/// Retrieval metrics on cosine similarity, ties broken towards the lower index (a row ranks above an equal-scoring
/// later row). Text-to-audio: the rank r of each caption's own audio among all clips; R@k = mean(r &lt;= k),
/// mAP@10 = mean(1/r if r &lt;= 10 else 0) (one relevant item, so AP is 1/r). Audio-to-text: each clip's rank is
/// that of its best-ranked own caption among all captions, LAION-CLAP's convention (its <c>get_metrics</c> takes
/// the minimum rank over the clip's captions), with the same R@k and mAP@10 on that rank.
/// Cost: O(captions x clips x d) time in two passes, O(clips + captions) memory per worker.
/// </summary>
public static class RetrievalMetrics
{
    public static RetrievalResult Compute(RetrievalBundle b, CancellationToken cancellationToken = default) =>
        Compute(b.Audio, b.Text, b.CaptionAudio, b.Path, cancellationToken);

    public static RetrievalResult Compute(EmbeddingMatrix audio, EmbeddingMatrix text, IReadOnlyList<int> captionAudio,
        string source = "retrieval bundle", CancellationToken cancellationToken = default)
    {
        Guard.Match(audio.Columns == text.Columns, $"{source}: audio has {audio.Columns} columns, text {text.Columns}");
        Guard.Match(captionAudio.Count == text.Rows, $"{source}: {captionAudio.Count} caption-to-audio entries for {text.Rows} captions");
        var ownCaptions = new List<int>?[audio.Rows];
        for (int j = 0; j < captionAudio.Count; j++)
        {
            int a = captionAudio[j];
            Guard.Data(a >= 0 && a < audio.Rows, $"{source}: caption {j} points to audio row {a}, expected 0..{audio.Rows - 1}");
            (ownCaptions[a] ??= []).Add(j);
        }
        int orphan = Array.FindIndex(ownCaptions, l => l is null);
        Guard.Data(orphan < 0, $"{source}: audio row {orphan} has no caption (every clip needs one for audio-to-text)");
        var a2 = Normalise(audio);
        var t2 = Normalise(text);
        var t2aRanks = new int[text.Rows];
        Parallel.For(0, text.Rows, new ParallelOptions { CancellationToken = cancellationToken }, () => new double[audio.Rows], (j, _, s) =>
        {
            var q = t2.Row(j);
            for (int i = 0; i < audio.Rows; i++) s[i] = TensorPrimitives.Dot(q, a2.Row(i));
            t2aRanks[j] = Rank(s, captionAudio[j]);
            return s;
        }, _ => { });
        var a2tRanks = new int[audio.Rows];
        Parallel.For(0, audio.Rows, new ParallelOptions { CancellationToken = cancellationToken }, () => new double[text.Rows], (i, _, s) =>
        {
            var q = a2.Row(i);
            for (int j = 0; j < text.Rows; j++) s[j] = TensorPrimitives.Dot(t2.Row(j), q);
            a2tRanks[i] = ownCaptions[i]!.Min(j => Rank(s, j));
            return s;
        }, _ => { });
        return new RetrievalResult(Scores(t2aRanks), Scores(a2tRanks), audio.Rows, text.Rows);
    }

    /// <summary>1 + rows scoring higher + earlier rows scoring the same.</summary>
    internal static int Rank(double[] scores, int target)
    {
        double v = scores[target];
        int rank = 1;
        for (int i = 0; i < scores.Length; i++)
            if (scores[i] > v || (scores[i] == v && i < target)) rank++;
        return rank;
    }

    private static RetrievalScores Scores(int[] ranks)
    {
        double n = ranks.Length;
        return new RetrievalScores(ranks.Count(r => r <= 1) / n, ranks.Count(r => r <= 5) / n, ranks.Count(r => r <= 10) / n,
            ranks.Sum(r => r <= 10 ? 1.0 / r : 0) / n);
    }

    private static EmbeddingMatrix Normalise(EmbeddingMatrix x)
    {
        var v = (double[])x.Values.Clone();
        for (int r = 0; r < x.Rows; r++)
        {
            var row = v.AsSpan(r * x.Columns, x.Columns);
            double norm = Math.Sqrt(TensorPrimitives.Dot(row, row));
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return new EmbeddingMatrix(v, x.Rows, x.Columns);
    }
}
