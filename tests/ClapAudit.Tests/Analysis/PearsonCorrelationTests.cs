using ClapAudit.Analysis;

namespace ClapAudit.Tests.Analysis;

public class PearsonCorrelationTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in AnalysisFixtures.Expected.GetProperty("pearson").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScipyPearsonrWithin1e9(string name)
    {
        var c = AnalysisFixtures.Expected.GetProperty("pearson").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var r = PearsonCorrelation.Compute(AnalysisFixtures.Doubles(c.GetProperty("x")), AnalysisFixtures.Doubles(c.GetProperty("y")));
        Assert.Equal(c.GetProperty("rho").GetDouble(), r.Rho, 1e-9);
        Assert.Equal(c.GetProperty("p").GetDouble(), r.P, 1e-9);
        Assert.Equal(c.GetProperty("x").GetArrayLength(), r.N);
    }

    [Fact]
    public void ThePapersFirstFindingIsReproducedFromItsTables()
    {
        // Table 1 top-1 vs Table 2 silhouette of E_a: the paper reports rho = 0.97, p < 1e-2.
        var r = PearsonCorrelation.Compute([0.73, 0.61, 0.31, 0.48, 0.40, 0.14], [0.34, 0.20, 0.08, 0.14, 0.15, -0.05]);
        Assert.Equal(0.97, r.Rho, 2);
        Assert.True(r.P < 1e-2);
    }

    [Fact]
    public void ConstantInputGivesNaNAsScipyDoes()
    {
        var r = PearsonCorrelation.Compute([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]);
        Assert.True(double.IsNaN(r.Rho) && double.IsNaN(r.P));
    }

    [Fact]
    public void TwoPairsGiveSignAndPOne()
    {
        var r = PearsonCorrelation.Compute([1.0, 2.0], [5.0, 3.0]);
        Assert.Equal(-1.0, r.Rho);
        Assert.Equal(1.0, r.P);
    }
}
