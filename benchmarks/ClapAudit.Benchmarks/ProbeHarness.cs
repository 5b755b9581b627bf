using System.Diagnostics;
using System.Globalization;
using ClapAudit.Analysis;
using ClapAudit.Evaluation;

namespace ClapAudit.Benchmarks;

/// <summary>
/// The .NET half of tools/bench_linear_probe.sh: <c>probe BUNDLE [REPEATS=3]</c> times <see cref="LinearProbe.Score"/>
/// on the bundle's audio and audio_backbone with its folds.npy (the folds scikit-learn gets), one line per run:
/// seconds and top-1 of each representation. The first run includes the JIT, as a user's single run does.
/// </summary>
public static class ProbeHarness
{
    public static int Run(string[] args)
    {
        var bundle = EmbeddingBundle.Load(args[1]);
        int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var folds = LinearProbe.FoldsOf(bundle.Labels, bundle.Folds, seed: 0);
        for (int r = 0; r < repeats; r++)
        {
            var parts = new List<string>();
            foreach (var (name, x) in new[] { ("audio", bundle.Audio!), ("audio_backbone", bundle.AudioBackbone!) })
            {
                var clock = Stopwatch.StartNew();
                var result = LinearProbe.Score(x, bundle.Labels, folds);
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}_s={clock.Elapsed.TotalSeconds:F2} {name}_top1={result.Top1:F4}"));
            }
            Console.WriteLine($"dotnet run={r + 1} " + string.Join(' ', parts));
        }
        return 0;
    }
}
