using System.Text.Json.Nodes;
using ClapAudit.Tests.Data;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// With <c>--json -</c> standard output holds the JSON alone; tables and messages go to standard error.
/// </summary>
public class JsonToStdoutTests
{
    [Fact]
    public void DataPrepareWritesOnlyJsonToStandardOutput()
    {
        using var tmp = Fixtures.TempDir();
        var (code, stdout, stderr) = CliTestHost.Run("data", "prepare", "--clotho", DataFixtures.Clotho,
            "--out", tmp.File("m"), "--clean-against", DataFixtures.Esc50, "--json", "-");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.NotNull(json["summary"]!["pairs"]);
        Assert.NotNull(json["leakage"]);
        Assert.Contains("val pairs to", stderr);
    }

    [Fact]
    public void PretrainTextWritesOnlyJsonToStandardOutput()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllLines(tmp.File("corpus.txt"),
            ["a dog barks in the yard", "a hound barks at night", "rain falls on the roof", "drizzle falls on it"]);
        var (code, stdout, stderr) = CliTestHost.Run("pretrain-text",
            "--corpus", tmp.File("corpus.txt"), "--out", tmp.File("bert"), "--set", "steps=2", "--set", "batch_size=4",
            "--set", "warmup_steps=1", "--set", "hidden_size=8",
            "--set", "num_attention_heads=2", "--set", "intermediate_size=16", "--json", "-");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(2, (int)json["recipe"]!["steps"]!);
        Assert.NotNull(json["result"]);
        Assert.Contains("wrote", stderr);
    }
}
