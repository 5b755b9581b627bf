using ClapAudit.Report;

namespace ClapAudit.Tests.Report;

public class PaperOrderingsTests
{
    private static ReportSetup S(string t, string p, double top1, double silhouette) =>
        new(t, p) { Top1 = top1, SilhouetteAudio = silhouette, SilhouetteAudioBackbone = silhouette };

    [Fact]
    public void ThePapersOwnTablesShowEveryOrderingButOne()
    {
        // Tables 1 and 2 of the paper: accuracy holds all 5 orderings; E_a silhouette has clean/clean 0.15 > clean/dirty 0.14.
        var setups = PaperReference.Accuracy.Select(kv => new ReportSetup(kv.Key.Item1, kv.Key.Item2)
        {
            Top1 = kv.Value,
            SilhouetteAudio = PaperReference.SilhouetteAudio[kv.Key],
            SilhouetteAudioBackbone = PaperReference.SilhouetteAudioBackbone[kv.Key],
        }).ToList();
        var checks = PaperOrderings.Check(setups);
        Assert.Equal(15, checks.Count);
        Assert.All(checks.Where(c => c.Measure == "top-1 accuracy"), c => Assert.True(c.Holds));
        var failed = Assert.Single(checks, c => !c.Holds);
        Assert.Equal(("silhouette of E_a", "training clean: pre-training dirty > clean > none", "0.140 / 0.150 / -0.050"), (failed.Measure, failed.Claim, failed.Values));
        Assert.Equal("5 of 5 orderings of top-1 accuracy as in the paper", PaperOrderings.Summary(checks, "top-1 accuracy"));
    }

    [Fact]
    public void ATieIsNotAnOrderingAndAMissingSetupIsNotChecked()
    {
        var checks = PaperOrderings.Check([S("dirty", "dirty", 0.5, 0.9), S("dirty", "clean", 0.5, 0.8), S("dirty", "none", 0.1, 0.1), S("clean", "dirty", 0.2, 0.7)]);
        var row = Assert.Single(checks, c => c.Measure == "top-1 accuracy" && c.Claim.StartsWith("training dirty"));
        Assert.False(row.Holds);
        Assert.Equal("0.500 / 0.500 / 0.100", row.Values);
        // Only dirty/dirty vs clean/dirty can be compared across training data; clean/clean and clean/none are missing.
        Assert.Single(checks, c => c.Measure == "top-1 accuracy" && c.Claim.StartsWith("pre-training"));
        Assert.DoesNotContain(checks, c => c.Claim.StartsWith("training clean"));
    }
}
