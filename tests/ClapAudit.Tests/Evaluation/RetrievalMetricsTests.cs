using System.Text.Json.Nodes;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Tests.Cli;

namespace ClapAudit.Tests.Evaluation;

/// <summary>Retrieval metrics against NumPy (tools/make_retrieval_fixtures.py: stable argsort ranks, ties to the lower index).</summary>
public class RetrievalMetricsTests
{
    private static string Bundle => Fixtures.Path("retrieval");
    private static JsonNode Expected => JsonNode.Parse(File.ReadAllText(Path.Combine(Bundle, "expected.json")))!;

    private static void AssertScores(JsonNode e, RetrievalScores s)
    {
        Assert.Equal((double)e["r1"]!, s.R1, 12);
        Assert.Equal((double)e["r5"]!, s.R5, 12);
        Assert.Equal((double)e["r10"]!, s.R10, 12);
        Assert.Equal((double)e["map10"]!, s.Map10, 12);
    }

    [Fact]
    public void TextToAudioAndAudioToTextEqualNumPyOnTheFixture()
    {
        var r = RetrievalMetrics.Compute(RetrievalBundle.Load(Bundle));
        AssertScores(Expected["t2a"]!, r.TextToAudio);
        AssertScores(Expected["a2t"]!, r.AudioToText);
        Assert.Equal((40, 132), (r.Audio, r.Captions));
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        // Three equal scores: the earliest ranks first, a later equal one after it.
        Assert.Equal(1, RetrievalMetrics.Rank([0.5, 0.5, 0.5, 0.1], 0));
        Assert.Equal(3, RetrievalMetrics.Rank([0.5, 0.5, 0.5, 0.1], 2));
        Assert.Equal(2, RetrievalMetrics.Rank([0.1, 0.9, 0.2], 2));
    }

    [Fact]
    public void AClipWithoutACaptionIsRefused()
    {
        var audio = new EmbeddingMatrix([1, 0, 0, 1], 2, 2);
        var text = new EmbeddingMatrix([1, 0], 1, 2);
        var e = Assert.Throws<ClapAuditException>(() => RetrievalMetrics.Compute(audio, text, [0]));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("audio row 1 has no caption", e.Message);
    }

    [Fact]
    public void AnalyzeAddsTheRetrievalKeyForARetrievalBundle()
    {
        using var tmp = Fixtures.TempDir();
        var (code, _, err) = CliTestHost.Run("analyze", Bundle, "--json", tmp.File("a.json"));
        Assert.True(code == 0, err);
        var node = JsonNode.Parse(File.ReadAllText(tmp.File("a.json")))!["bundles"]![0]!["retrieval"]!;
        AssertScores(Expected["t2a"]!, new RetrievalScores((double)node["t2a"]!["r1"]!, (double)node["t2a"]!["r5"]!,
            (double)node["t2a"]!["r10"]!, (double)node["t2a"]!["map10"]!));
        Assert.Equal((double)Expected["a2t"]!["map10"]!, (double)node["a2t"]!["map10"]!, 12);
    }
}
