using System.Globalization;

namespace ClapAudit.Report;

/// <summary>One ordering the paper reports, checked on the user's own numbers.</summary>
/// <param name="Measure">"top-1 accuracy", "silhouette of E_a", ...</param>
/// <param name="Claim">The ordering as the paper states it, e.g. "pre-training dirty > clean > none, training dirty".</param>
/// <param name="Holds">Whether the measured values are strictly in that order.</param>
/// <param name="Values">The measured values, in the claim's order, as text ("0.500 / 0.480 / 0.090").</param>
public sealed record OrderingCheck(string Measure, string Claim, bool Holds, string Values);

/// <summary>
/// The orderings behind the paper's Tables 1 and 2: with the training data fixed, dirty audio pre-training
/// beats clean, which beats none; with the pre-training fixed, dirty training data beat clean. The report
/// states for each whether the user's run shows it, so a run that does not is said to, not hidden.
/// </summary>
public static class PaperOrderings
{
    private static readonly string[] PreTrainings = ["dirty", "clean", "none"];
    private static readonly string[] Trainings = ["dirty", "clean"];

    public static IReadOnlyList<OrderingCheck> Check(IReadOnlyList<ReportSetup> setups)
    {
        var byKey = setups.ToDictionary(s => (s.Training, s.PreTraining));
        var checks = new List<OrderingCheck>();
        foreach (var (measure, value) in new (string, Func<ReportSetup, double?>)[]
        {
            ("top-1 accuracy", s => s.Top1), ("silhouette of E_a", s => s.SilhouetteAudio), ("silhouette of x_a", s => s.SilhouetteAudioBackbone),
        })
        {
            foreach (string t in Trainings)
                Add(checks, measure, $"training {t}: pre-training dirty > clean > none",
                    PreTrainings.Select(p => byKey.TryGetValue((t, p), out var s) ? value(s) : null).ToArray());
            foreach (string p in PreTrainings)
                Add(checks, measure, $"pre-training {p}: training dirty > clean",
                    Trainings.Select(t => byKey.TryGetValue((t, p), out var s) ? value(s) : null).ToArray());
        }
        return checks;
    }

    private static void Add(List<OrderingCheck> checks, string measure, string claim, double?[] values)
    {
        if (values.Any(v => v is null || !double.IsFinite(v.Value))) return; // a missing setup: nothing to check
        bool holds = values.Zip(values.Skip(1), (a, b) => a!.Value > b!.Value).All(x => x);
        string text = string.Join(" / ", values.Select(v => v!.Value.ToString("0.000", CultureInfo.InvariantCulture)));
        checks.Add(new OrderingCheck(measure, claim, holds, text));
    }

    /// <summary>"5 of 7 orderings of Table 1 hold", for a summary line.</summary>
    public static string Summary(IReadOnlyList<OrderingCheck> checks, string measure)
    {
        var of = checks.Where(c => c.Measure == measure).ToList();
        return $"{of.Count(c => c.Holds)} of {of.Count} orderings of {measure} as in the paper";
    }
}
