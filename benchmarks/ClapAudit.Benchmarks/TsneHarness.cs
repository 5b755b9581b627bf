using System.Diagnostics;
using System.Globalization;
using ClapAudit.Analysis.Tsne;
using ClapAudit.Common;

namespace ClapAudit.Benchmarks;

/// <summary>
/// Whole-run timing of <see cref="Tsne.Fit"/> for tools/bench_tsne.sh:
/// <c>tsne DATA.npy MAP.npy [metric]</c> writes the map and prints one line "seconds=S kl=K iterations=I".
/// </summary>
public static class TsneHarness
{
    public static int Run(string[] args)
    {
        var data = NpyArray.Read(args[1]);
        int n = data.Shape[0], d = data.Shape[1];
        var x = data.ToDoubleArray();
        var options = new TsneOptions { Metric = args.Length > 3 ? args[3] : "cosine" };
        var clock = Stopwatch.StartNew();
        var result = ClapAudit.Analysis.Tsne.Tsne.Fit(x, n, d, options);
        clock.Stop();
        NpyArray.WriteFloat64(args[2], result.Embedding, n, options.Components);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seconds={clock.Elapsed.TotalSeconds:F3} kl={result.KlDivergence:F6} iterations={result.Iterations}"));
        return 0;
    }
}
