using System.Diagnostics;
using System.Globalization;
using ClapAudit.Analysis.Tsne;
using ClapAudit.Common;

namespace ClapAudit.Benchmarks;

/// <summary>
/// Whole-run timing of <see cref="Tsne.Fit"/> for tools/bench_tsne.sh:
/// <c>tsne DATA.npy MAP.npy [metric]</c> writes the map and prints one line "seconds=S cpu=C kl=K iterations=I" (wall and CPU time of the fit).
/// </summary>
public static class TsneHarness
{
    public static int Run(string[] args)
    {
        var data = NpyArray.Read(args[1]);
        int n = data.Shape[0], d = data.Shape[1];
        var x = data.ToDoubleArray();
        var options = new TsneOptions { Metric = args.Length > 3 ? args[3] : "cosine", Method = args.Length > 4 ? args[4] : "auto" };
        if (Environment.GetEnvironmentVariable("CLAPAUDIT_TSNE_PHASES") is { Length: > 0 }) Phases(x, n, d, options);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = ClapAudit.Analysis.Tsne.Tsne.Fit(x, n, d, options);
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        NpyArray.WriteFloat64(args[2], result.Embedding, n, options.Components);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seconds={clock.Elapsed.TotalSeconds:F3} cpu={cpu.TotalSeconds:F3} kl={result.KlDivergence:F6} iterations={result.Iterations}"));
        return 0;
    }

    /// <summary>Times the set-up steps alone (stderr), to see where a run's time goes.</summary>
    private static void Phases(double[] x, int n, int d, TsneOptions options)
    {
        int k = Math.Min(n - 1, (int)(3 * options.Perplexity + 1));
        var clock = Stopwatch.StartNew();
        var (idx, dist) = ClapAudit.Analysis.NearestItems.WithDistances(new ClapAudit.Evaluation.EmbeddingMatrix(x, n, d), k,
            ClapAudit.Analysis.DistanceMetrics.Parse(options.Metric));
        Console.Error.WriteLine($"knn {clock.Elapsed.TotalSeconds:F3}s"); clock.Restart();
        for (int t = 0; t < dist.Length; t++) dist[t] *= dist[t];
        var p = JointProbabilities.Build(idx, dist, n, k, options.Perplexity);
        Console.Error.WriteLine($"P {clock.Elapsed.TotalSeconds:F3}s"); clock.Restart();
        var y = PcaInitialization.Compute(x, n, d, 2, 0);
        Console.Error.WriteLine($"pca {clock.Elapsed.TotalSeconds:F3}s"); clock.Restart();
        var g = new KlGradient(p, n, 2, options.ResolvedMethod(n) == "fft" ? "fft" : "barnes_hut", options.Angle);
        var grad = new double[y.Length];
        for (int i = 0; i < 50; i++) g.Evaluate(y, grad, 12, false, default);
        Console.Error.WriteLine($"50 gradient evaluations at init {clock.Elapsed.TotalSeconds:F3}s");
    }
}
