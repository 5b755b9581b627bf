using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>
/// Runs the audit on one bundle: the paper's zero-shot top-1/top-5, silhouette of E_a and x_a with the labels and
/// topological similarity of class-level clouds (class means for audio, class rows for text); and the reviewer's
/// additions (issue 13): k-NN and linear probes of E_a and x_a with zero-shot's share of the ceiling, stratified
/// bootstrap intervals, zero-shot per fold, the per-class view, and alignment (linear CKA, mutual k-NN).
/// Time O(n² (d + d_a)) for the silhouettes, k-NN probes and mutual k-NN, plus the linear probe's
/// O(iterations · n d C) per fold; memory O(n · block + n d).
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
        double[]? samplesAudio = null, samplesAudioBackbone = null;
        if (bundle.Audio is not null && bundle.Text is not null)
        {
            progress?.Report("zero-shot");
            zeroShot = ZeroShotScorer.Score(bundle.Audio, bundle.Text, bundle.Labels, cancellationToken);
            progress?.Report("silhouette of audio");
            samplesAudio = SilhouetteOf(bundle, bundle.Audio, EmbeddingBundle.AudioFile, options, cancellationToken);
        }
        else
        {
            skipped.Add($"zero_shot: {backboneOnly}");
            skipped.Add($"silhouette.audio: {backboneOnly}");
        }
        if (bundle.AudioBackbone is not null)
        {
            progress?.Report("silhouette of audio_backbone");
            samplesAudioBackbone = SilhouetteOf(bundle, bundle.AudioBackbone, EmbeddingBundle.AudioBackboneFile, options, cancellationToken);
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

        var neighbours = new Neighbours(bundle, options, cancellationToken);
        var probe = Probes(bundle, zeroShot, options, neighbours, skipped, progress, cancellationToken);

        progress?.Report("intervals, folds, classes");
        ConfidenceIntervals? ci = null;
        if (options.Bootstrap > 0)
        {
            var stats = new List<double[]>();
            if (zeroShot is not null) stats.Add(zeroShot.Predictions.Select((p, i) => p == bundle.Labels[i] ? 1.0 : 0.0).ToArray());
            if (samplesAudio is not null) stats.Add(samplesAudio);
            if (samplesAudioBackbone is not null) stats.Add(samplesAudioBackbone);
            var intervals = Bootstrap.Intervals(bundle.Labels, stats, options.Bootstrap, options.Seed);
            int next = 0;
            ci = new ConfidenceIntervals(zeroShot is null ? null : intervals[next++], samplesAudio is null ? null : intervals[next++],
                samplesAudioBackbone is null ? null : intervals[next])
            { Resamples = options.Bootstrap };
        }
        else skipped.Add("ci: --bootstrap 0");

        FoldResults? perFold = null;
        if (bundle.Folds is null) skipped.Add($"per_fold: no {EmbeddingBundle.FoldsFile}");
        else if (bundle.Folds.Distinct().Count() < 2) skipped.Add($"per_fold: {EmbeddingBundle.FoldsFile} has a single fold");
        else if (zeroShot is null) skipped.Add($"per_fold: {backboneOnly}");
        else perFold = ClassView.PerFold(bundle.Labels, zeroShot.Predictions, bundle.Folds);

        var perClass = ClassView.PerClass(bundle, zeroShot?.Predictions, samplesAudio, options.Metric);

        progress?.Report("alignment");
        var alignment = AlignmentOf(bundle, present, audioMeans, text, options, neighbours, skipped);

        TopologyResult? T(string name) => topology.GetValueOrDefault(name);
        return new BundleAudit
        {
            Path = bundle.Path,
            ItemCount = bundle.ItemCount,
            ClassCount = bundle.ClassCount,
            ZeroShot = zeroShot,
            Silhouette = new SilhouetteScores(samplesAudio?.Average(), samplesAudioBackbone?.Average()),
            Topology = new TopologyComparisons(T(AudioBackboneVsAudio), T(TextBackboneVsText), T(AudioVsText)),
            Probe = probe,
            Ci = ci,
            PerFold = perFold,
            PerClass = perClass,
            Alignment = alignment,
            EmptyClasses = empty,
            Skipped = skipped,
        };
    }

    /// <summary>The k-NN and linear probes of E_a and x_a, and zero-shot's share of the linear ceiling on E_a.</summary>
    private static ProbeResults Probes(EmbeddingBundle bundle, ZeroShotResult? zeroShot, AuditOptions options, Neighbours neighbours,
        List<string> skipped, IProgress<string>? progress, CancellationToken token)
    {
        if (!options.Probes) { skipped.Add("probe: --no-probe"); return ProbeResults.None; }
        var folds = LinearProbe.FoldsOf(bundle.Labels, bundle.Folds, options.Seed);
        KnnProbeResult? knnAudio = null, knnBackbone = null;
        LinearProbeResult? linearAudio = null, linearBackbone = null;
        foreach (var (rep, x) in new[] { (Representation.Audio, bundle.Audio), (Representation.AudioBackbone, bundle.AudioBackbone) })
        {
            string name = rep.Name();
            if (x is null) { skipped.Add($"probe.{name}: no {(rep == Representation.Audio ? EmbeddingBundle.AudioFile : EmbeddingBundle.AudioBackboneFile)}"); continue; }
            if (options.ProbeK > x.Rows - 1) skipped.Add($"probe.knn.{name}: --probe-k {options.ProbeK} exceeds n - 1 = {x.Rows - 1}");
            else
            {
                progress?.Report($"k-NN probe of {name}");
                var predicted = KnnProbe.FromNeighbours(neighbours.Of(rep)!, neighbours.Stored, bundle.Labels, options.ProbeK);
                var knn = new KnnProbeResult((double)predicted.Where((p, i) => p == bundle.Labels[i]).Count() / x.Rows, options.ProbeK);
                if (rep == Representation.Audio) knnAudio = knn; else knnBackbone = knn;
            }
            if (!options.LinearProbe) continue;
            progress?.Report($"linear probe of {name}");
            var linear = LinearProbe.Score(x, bundle.Labels, folds, token);
            if (rep == Representation.Audio) linearAudio = linear; else linearBackbone = linear;
        }
        if (!options.LinearProbe) skipped.Add("probe.linear: --no-linear-probe");
        double? share = zeroShot is not null && linearAudio is { Top1: > 0 } l ? zeroShot.Top1 / l.Top1 : null;
        return new ProbeResults(new KnnProbes(knnAudio, knnBackbone), new LinearProbes(linearAudio, linearBackbone), share);
    }

    /// <summary>Linear CKA of the three pairs (items, classes, class means) and mutual k-NN of x_a vs E_a on items.</summary>
    private static AlignmentComparisons AlignmentOf(EmbeddingBundle bundle, int[] present, EmbeddingMatrix? audioMeans, EmbeddingMatrix? text,
        AuditOptions options, Neighbours neighbours, List<string> skipped)
    {
        AlignmentScores? items = null, classes = null, means = null;
        if (bundle.Audio is not null && bundle.AudioBackbone is not null)
        {
            double? mutual = null;
            if (Alignment.MutualK <= bundle.ItemCount - 1)
                mutual = Alignment.MutualKnn(neighbours.Of(Representation.AudioBackbone)!, neighbours.Of(Representation.Audio)!, neighbours.Stored,
                    bundle.ItemCount, Alignment.MutualK);
            else skipped.Add($"alignment.{AudioBackboneVsAudio}.mutual_knn: needs more than {Alignment.MutualK} items");
            items = new AlignmentScores(Alignment.LinearCka(bundle.AudioBackbone, bundle.Audio), mutual);
        }
        else skipped.Add($"alignment.{AudioBackboneVsAudio}: needs audio.npy and audio_backbone.npy");
        if (bundle.TextBackbone is not null && text is not null && present.Length >= 2)
            classes = new AlignmentScores(Alignment.LinearCka(bundle.TextBackbone.SelectRows(present), text), null);
        else skipped.Add($"alignment.{TextBackboneVsText}: needs text.npy and text_backbone.npy");
        if (audioMeans is not null && text is not null && present.Length >= 2)
            means = new AlignmentScores(Alignment.LinearCka(audioMeans, text), null);
        else skipped.Add($"alignment.{AudioVsText}: needs audio.npy and text.npy");
        return new AlignmentComparisons(items, classes, means);
    }

    /// <summary>
    /// The nearest other items of E_a and x_a, computed once (lazily) with as many neighbours as the k-NN probe and the
    /// mutual k-NN need, so that each representation takes one neighbour pass.
    /// </summary>
    private sealed class Neighbours(EmbeddingBundle bundle, AuditOptions options, CancellationToken token)
    {
        private readonly Dictionary<Representation, int[]> _lists = [];
        public int Stored { get; } = Math.Min(Math.Max(options.Probes ? options.ProbeK : 0, Alignment.MutualK), bundle.ItemCount - 1);

        public int[]? Of(Representation r)
        {
            if (_lists.TryGetValue(r, out var list)) return list;
            var x = r == Representation.Audio ? bundle.Audio : bundle.AudioBackbone;
            if (x is null || Stored < 1) return null;
            return _lists[r] = NearestItems.Of(x, Stored, options.Metric, token);
        }
    }

    private static double[] SilhouetteOf(EmbeddingBundle bundle, EmbeddingMatrix x, string file, AuditOptions options, CancellationToken token)
    {
        try
        {
            return Silhouette.Samples(x, bundle.Labels, options.Metric, options.BlockSize, token);
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
