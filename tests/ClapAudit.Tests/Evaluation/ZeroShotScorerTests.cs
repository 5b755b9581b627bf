using ClapAudit.Evaluation;
using ClapAudit.Tests.Analysis;

namespace ClapAudit.Tests.Evaluation;

public class ZeroShotScorerTests
{
    [Theory]
    [InlineData("clusters")]
    [InlineData("empty_class")]
    [InlineData("singletons")]
    public void MatchesNumPyTop1AndTop5(string name)
    {
        var b = AnalysisFixtures.Load(name);
        var expected = AnalysisFixtures.Bundle(name).GetProperty("zero_shot");
        var r = ZeroShotScorer.Score(b.Audio!, b.Text!, b.Labels);
        Assert.Equal(expected.GetProperty("top1").GetDouble(), r.Top1, 12);
        Assert.Equal(expected.GetProperty("top5").GetDouble(), r.Top5, 12);
    }

    [Fact]
    public void TiesGoToTheLowestClass()
    {
        // Classes 1 and 2 have the same direction; item 0 points there, so class 1 is predicted.
        var audio = new EmbeddingMatrix([0, 1, 1, 0], 2, 2);
        var text = new EmbeddingMatrix([1, 0, 0, 2, 0, 3], 3, 2);
        var r = ZeroShotScorer.Score(audio, text, [2, 0]);
        Assert.Equal([1, 0], r.Predictions);
        Assert.Equal(0.5, r.Top1);
    }

    [Fact]
    public void TopFiveCountsAnItemWhenFewerThanFiveClassesRankAboveItsLabel()
    {
        // Seven classes at angles 0..6 (radians/10); the item sits at angle 0, so class c ranks c-th.
        var text = new EmbeddingMatrix(Enumerable.Range(0, 7).SelectMany(c => new[] { Math.Cos(c / 10.0), Math.Sin(c / 10.0) }).ToArray(), 7, 2);
        var audio = new EmbeddingMatrix([1, 0, 1, 0], 2, 2);
        var r = ZeroShotScorer.Score(audio, text, [4, 5]);
        Assert.Equal(0.0, r.Top1);
        Assert.Equal(0.5, r.Top5);  // label 4 has 4 classes above it, label 5 has 5
    }
}
