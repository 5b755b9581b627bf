using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// Runs the paper's audit on one bundle: zero-shot top-1/top-5, silhouette of E_a and x_a with the labels,
/// and topological similarity of class-level clouds (class means for audio, class rows for text).
/// Time O(n² (d + d_a)) for the silhouettes, which dominate; memory O(n · block).
/// </summary>
public static class EmbeddingAudit
{
    public const string AudioBackboneVsAudio = "audio_backbone_vs_audio";
    public const string TextBackboneVsText = "text_backbone_vs_text";
    public const string AudioVsText = "audio_vs_text";

    public static BundleAudit Run(EmbeddingBundle bundle, AuditOptions? options = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options = (options ?? new AuditOptions()).Validated();
        var skipped = new List<string>();

        const string backboneOnly = "backbone-only bundle (no audio.npy/text.npy)";
        ZeroShotResult? zeroShot = null;
        double? silhouetteAudio = null, silhouetteAudioBackbone = null;
        if (bundle.Audio is not null && bundle.Text is not null)
        {
            progress?.Report("zero-shot");
            zeroShot = ZeroShotScorer.Score(bundle.Audio, bundle.Text, bundle.Labels, cancellationToken);
            progress?.Report("silhouette of audio");
            silhouetteAudio = SilhouetteOf(bundle, bundle.Audio, EmbeddingBundle.AudioFile, options, cancellationToken);
        }
        else
        {
            skipped.Add($"zero_shot: {backboneOnly}");
            skipped.Add($"silhouette.audio: {backboneOnly}");
        }
        if (bundle.AudioBackbone is not null)
        {
            progress?.Report("silhouette of audio_backbone");
            silhouetteAudioBackbone = SilhouetteOf(bundle, bundle.AudioBackbone, EmbeddingBundle.AudioBackboneFile, options, cancellationToken);
        }
        else skipped.Add("silhouette.audio_backbone: no audio_backbone.npy");

        // Class-level clouds: only classes with items take part, in every comparison alike.
        var counts = new int[bundle.ClassCount];
        foreach (int l in bundle.Labels) counts[l]++;
        var present = Enumerable.Range(0, bundle.ClassCount).Where(c => counts[c] > 0).ToArray();
        var empty = Enumerable.Range(0, bundle.ClassCount).Where(c => counts[c] == 0).Select(c => bundle.ClassNames[c]).ToList();

        progress?.Report("topology");
        var topology = new Dictionary<string, TopologyResult>();  // by TopologyComparisons.Names
        var audioMeans = bundle.Audio is null ? null : ClassMeans(bundle.Audio, bundle.Labels, present);
        var text = bundle.Text?.SelectRows(present);
        void Compare(string name, EmbeddingMatrix? p, EmbeddingMatrix? q, string missing)
        {
            if (p is null || q is null) { skipped.Add($"topology.{name}: {missing}"); return; }
            int m = present.Length;
            if (m < 3) { skipped.Add($"topology.{name}: only {m} classes have items (3 needed)"); return; }
            if (options.KMin > m - 1) { skipped.Add($"topology.{name}: k-min {options.KMin} exceeds m - 1 = {m - 1}"); return; }
            topology[name] = TopologicalSimilarity.Compare(p, q, options.Metric, options.KMin, options.KMax);
        }
        Compare(AudioBackboneVsAudio,
            bundle.AudioBackbone is null ? null : ClassMeans(bundle.AudioBackbone, bundle.Labels, present), audioMeans,
            bundle.IsBackboneOnly ? backboneOnly : "no audio_backbone.npy");
        Compare(TextBackboneVsText, bundle.TextBackbone?.SelectRows(present), text,
            bundle.IsBackboneOnly ? backboneOnly : "no text_backbone.npy");
        Compare(AudioVsText, audioMeans, text, backboneOnly);

        TopologyResult? T(string name) => topology.GetValueOrDefault(name);
        return new BundleAudit
        {
            Path = bundle.Path, ItemCount = bundle.ItemCount, ClassCount = bundle.ClassCount, ZeroShot = zeroShot,
            Silhouette = new SilhouetteScores(silhouetteAudio, silhouetteAudioBackbone),
            Topology = new TopologyComparisons(T(AudioBackboneVsAudio), T(TextBackboneVsText), T(AudioVsText)),
            EmptyClasses = empty, Skipped = skipped,
        };
    }

    private static double SilhouetteOf(EmbeddingBundle bundle, EmbeddingMatrix x, string file, AuditOptions options, CancellationToken token)
    {
        try
        {
            return Silhouette.Score(x, bundle.Labels, options.Metric, options.BlockSize, token);
        }
        catch (Common.ClapAuditException e)
        {
            // Name the files: the labels decide whether a silhouette exists at all.
            throw new Common.ClapAuditException(e.Kind,
                $"{System.IO.Path.Combine(bundle.Path, file)} with {EmbeddingBundle.LabelsFile}: {e.Message}", e);
        }
    }

    /// <summary>The mean vector of each listed class's items, one row per class in <paramref name="classes"/>' order. O(n d).</summary>
    public static EmbeddingMatrix ClassMeans(EmbeddingMatrix x, IReadOnlyList<int> labels, IReadOnlyList<int> classes)
    {
        int d = x.Columns;
        var rowOf = new Dictionary<int, int>();
        for (int r = 0; r < classes.Count; r++) rowOf[classes[r]] = r;
        var sums = new double[classes.Count * d];
        var counts = new int[classes.Count];
        for (int i = 0; i < x.Rows; i++)
        {
            if (!rowOf.TryGetValue(labels[i], out int r)) continue;
            counts[r]++;
            var dest = sums.AsSpan(r * d, d);
            System.Numerics.Tensors.TensorPrimitives.Add(dest, x.Row(i), dest);
        }
        for (int r = 0; r < classes.Count; r++)
        {
            var dest = sums.AsSpan(r * d, d);
            if (counts[r] > 0) System.Numerics.Tensors.TensorPrimitives.Divide(dest, counts[r], dest);
        }
        return new EmbeddingMatrix(sums, classes.Count, d);
    }
}
