using System.Diagnostics;
using System.Globalization;
using ClapAudit.Analysis;
using ClapAudit.Evaluation;

namespace ClapAudit.Benchmarks;

/// <summary>
/// What the reviewer's audit (issue 13) adds to <c>analyze</c>'s own work, in one process:
/// <c>audit BUNDLE [REPEATS=5]</c> runs <see cref="EmbeddingAudit.Run"/> without the linear probe and splits each run's
/// time at its progress reports into the paper's measures (zero-shot, both silhouettes, topology) and everything the
/// audit adds (the neighbour pass with the k-NN probes and mutual k-NN, 1000 bootstrap resamples, per class, CKA).
/// Prints each stage's median time (a stage lasts until the next report), the two sums and the added share; the first two runs are warm-up (JIT, libtorch's first GEMMs).
/// The whole-process ratio (what a user waits for) is measured with the CLI, see docs/benchmarks.md.
/// </summary>
public static class AuditHarness
{
    public static int Run(string[] args)
    {
        var bundle = EmbeddingBundle.Load(args[1]);
        int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var options = new AuditOptions { LinearProbe = false };
        var (paper, added) = (new List<double>(), new List<double>());
        var stages = new Dictionary<string, List<double>>();
        for (int r = 0; r < repeats + 2; r++)
        {
            var clock = Stopwatch.StartNew();
            double paperEnd = double.NaN, last = 0;
            string? current = null;
            void Close(double now)
            {
                if (current is not null && r >= 2) (stages.TryGetValue(current, out var l) ? l : stages[current] = []).Add(now - last);
                last = now;
            }
            // The paper's measures end where the first of the audit's stages begins (the k-NN probe, which computes
            // the neighbours; with no probe, the intervals).
            var marks = new SynchronousProgress(stage =>
            {
                Close(clock.Elapsed.TotalSeconds);
                current = stage;
                if (double.IsNaN(paperEnd) && (stage.StartsWith("k-NN probe", StringComparison.Ordinal) || stage.StartsWith("intervals", StringComparison.Ordinal)))
                    paperEnd = clock.Elapsed.TotalSeconds;
            });
            EmbeddingAudit.Run(bundle, options, marks);
            double total = clock.Elapsed.TotalSeconds;
            Close(total);
            if (r < 2) continue;
            paper.Add(paperEnd);
            added.Add(total - paperEnd);
        }
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        double p = Median(paper), a = Median(added);
        foreach (var (stage, times) in stages)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage}: {Median(times):F3} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"n={bundle.ItemCount} classes={bundle.ClassCount} paper_s={p:F3} audit_added_s={a:F3} added_share={a / p:P0}"));
        return 0;
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the marks must be taken at the moment of the report.</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
