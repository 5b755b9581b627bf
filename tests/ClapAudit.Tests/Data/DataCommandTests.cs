using System.Text.Json.Nodes;
using ClapAudit.Tests.Cli;

namespace ClapAudit.Tests.Data;

public class DataCommandTests
{
    [Fact]
    public void PrepareWritesTheManifestsAndPrintsTheTables()
    {
        using var tmp = Fixtures.TempDir();
        string outDir = tmp.File("manifest");
        var (code, stdout, stderr) = CliTestHost.Run("data", "prepare",
            "--clotho", DataFixtures.Clotho, "--audiocaps", DataFixtures.AudioCaps, "--fsd50k", DataFixtures.Fsd50k, "--macs", DataFixtures.Macs,
            "--out", outDir, "--clean-against", DataFixtures.Esc50, "--seed", "1", "--json", tmp.File("out.json"));
        Assert.True(code == 0, stderr);
        foreach (var f in new[] { "train.jsonl", "val.jsonl", "summary.json", "leakage.json", "problems.txt" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Contains("Leakage filter (exact match, 70 words)", stdout);
        Assert.Contains("Wrote 21 train and 5 val pairs", stdout);
        var json = JsonNode.Parse(File.ReadAllText(tmp.File("out.json")))!;
        Assert.Equal(["pairs", "datasets", "seed", "split_by", "val_fraction", "straddling_audio", "clean", "problems", "first_problems"],
            json["summary"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(1, (int)json["summary"]!["seed"]!);
        Assert.Equal(["words", "match", "stopwords", "before", "removed", "after", "by_word", "by_dataset", "top_removed_captions"],
            json["leakage"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(["pairs", "audio", "missing_audio", "missing_audio_files", "removed_by_filter", "problems"],
            json["summary"]!["datasets"]!["audiocaps"]!.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public void PrepareOptionsReachTheCore()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("stop.txt"), "dog\n");
        var (code, _, stderr) = CliTestHost.Run("data", "prepare", "--clotho", DataFixtures.Clotho, "--out", tmp.Path,
            "--splits", "clotho:development", "--clean-against", DataFixtures.Esc50, "--match", "stem", "--stopwords", tmp.File("stop.txt"),
            "--split-by", "audio", "--val-fraction", "0.5");
        Assert.True(code == 0, stderr);
        var summary = JsonNode.Parse(File.ReadAllText(tmp.File("summary.json")))!;
        // development only: forest, cafe, dogs, "empty caption" (24 pairs); stem removes cafe (glass) and "empty caption" (water); dog exempt.
        Assert.Equal(10, (int)summary["datasets"]!["clotho"]!["pairs"]!);
        Assert.Equal("audio", (string)summary["split_by"]!);
        Assert.Equal(5, (int)summary["pairs"]!["val"]!);
        var leakage = JsonNode.Parse(File.ReadAllText(tmp.File("leakage.json")))!;
        Assert.Equal("stem", (string)leakage["match"]!);
        Assert.Equal(["dog"], leakage["stopwords"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void PrepareExitCodesForUsageMissingFolderAndBadData()
    {
        Assert.Equal(2, CliTestHost.Run("data", "prepare", "--clotho", DataFixtures.Clotho).Code); // --out missing
        Assert.Equal(2, CliTestHost.Run("data", "prepare", "--clotho", DataFixtures.Clotho, "--out", "x", "--split-by", "caption").Code);
        using var tmp = Fixtures.TempDir();
        var (code, _, err) = CliTestHost.Run("data", "prepare", "--clotho", tmp.File("nope"), "--out", tmp.File("o"));
        Assert.Equal(3, code);
        Assert.Contains("Clotho folder not found", err);
        File.WriteAllText(tmp.File("clotho_captions_development.csv"), "file_name,caption_1\nx.wav,hello\n");
        var (code2, _, err2) = CliTestHost.Run("data", "prepare", "--clotho", tmp.Path, "--out", tmp.File("o"));
        Assert.Equal(4, code2);
        Assert.Contains("clotho_captions_development.csv:1: missing column 'caption_2'", err2);
        Assert.Equal(2, CliTestHost.Run("data", "prepare", "--clotho", DataFixtures.Clotho, "--out", tmp.File("o"), "--splits", "macs:all").Code);
    }

    [Fact]
    public void AudioSetCleanWritesTheKeptClips()
    {
        using var tmp = Fixtures.TempDir();
        var (code, stdout, stderr) = CliTestHost.Run("data", "audioset-clean", "--audioset", DataFixtures.AudioSet,
            "--clean-against", DataFixtures.Esc50, "--out", tmp.File("clean.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("6 read, 3 removed, 3 kept", stdout);
        var doc = JsonNode.Parse(File.ReadAllText(tmp.File("clean.json")))!;
        Assert.Equal(["--PJHxphWEs", "--ZhevVpy1s", "-0O3e95y4gE"], doc["kept"]!.AsArray().Select(n => (string)n!["ytid"]!));
    }
}
