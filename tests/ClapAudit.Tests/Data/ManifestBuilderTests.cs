using System.Text.Json.Nodes;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Text;

namespace ClapAudit.Tests.Data;

public class ManifestBuilderTests
{
    private static ManifestBuildOptions Options(string? outDir, bool clean = true, int seed = 0, SplitBy by = SplitBy.Pair) => new(
        outDir, DataFixtures.Clotho, DataFixtures.AudioCaps, DataFixtures.Fsd50k, DataFixtures.Macs,
        clean ? DataFixtures.Esc50 : null, new SplitOptions(0.2, seed, by));

    [Fact]
    public void BuildsTheCleanManifestsFromAllFourFixtureDatasets()
    {
        using var tmp = Fixtures.TempDir();
        var r = ManifestBuilder.Build(Options(tmp.Path));
        // 53 pairs read with audio, 27 removed by the filter, 26 left: round(26 * 0.2) = 5 to val.
        Assert.Equal((21, 5), (r.Train.Count, r.Val.Count));
        Assert.Equal(10, r.Problems.Count);
        Assert.Equal(new DatasetSummary(15, 3, 5, 1, new PairAudioCount(14, 3), 3), r.Summary.Datasets["clotho"]);
        Assert.Equal(new DatasetSummary(6, 2, 1, 1, new PairAudioCount(7, 3), 3), r.Summary.Datasets["audiocaps"]);
        Assert.Equal(new DatasetSummary(2, 2, 1, 1, new PairAudioCount(3, 3), 1), r.Summary.Datasets["fsd50k"]);
        Assert.Equal(new DatasetSummary(3, 1, 2, 1, new PairAudioCount(3, 2), 3), r.Summary.Datasets["macs"]);
        Assert.Equal(r.Train, PairManifest.Read(tmp.Path, "train"));
        Assert.Equal(r.Val, PairManifest.Read(tmp.Path, "val"));
        Assert.Equal(10, File.ReadAllLines(tmp.File("problems.txt")).Length);

        var summary = JsonNode.Parse(File.ReadAllText(tmp.File("summary.json")))!;
        Assert.Equal(21, (int)summary["pairs"]!["train"]!);
        Assert.Equal(5, (int)summary["pairs"]!["val"]!);
        Assert.Equal(5, (int)summary["datasets"]!["clotho"]!["missing_audio"]!);
        Assert.Equal("pair", (string)summary["split_by"]!);
        Assert.Equal(0, (int)summary["seed"]!);
        var leakage = JsonNode.Parse(File.ReadAllText(tmp.File("leakage.json")))!;
        Assert.Equal(70, leakage["words"]!.AsArray().Count);
        Assert.Equal(27, (int)leakage["removed"]!["pairs"]!);
        Assert.Equal(11, (int)leakage["removed"]!["audio"]!);
        Assert.Equal(6, (int)leakage["by_word"]!["dog"]!["pairs"]!);
        Assert.Equal(14, (int)leakage["by_dataset"]!["clotho"]!["removed"]!["pairs"]!);
    }

    [Fact]
    public void TheCleanManifestFilesHoldNoCaptionWithAClassWord()
    {
        using var tmp = Fixtures.TempDir();
        ManifestBuilder.Build(Options(tmp.Path));
        var words = DataFixtures.Esc50Categories.SelectMany(c => c.Split('_')).ToHashSet();
        var all = PairManifest.Read(tmp.Path, "train").Concat(PairManifest.Read(tmp.Path, "val")).ToList();
        Assert.Equal(26, all.Count);
        Assert.All(all, p => Assert.DoesNotContain(BasicTokenizer.Uncased.Tokenize(p.Caption), words.Contains));
    }

    [Fact]
    public void DirtyBuildKeepsEveryPairAndRemovesAStaleLeakageReport()
    {
        using var tmp = Fixtures.TempDir();
        ManifestBuilder.Build(Options(tmp.Path));
        var r = ManifestBuilder.Build(Options(tmp.Path, clean: false));
        Assert.Equal(53, r.Train.Count + r.Val.Count);
        Assert.Equal(11, r.Val.Count); // round(53 * 0.2) = 10.6 -> 11
        Assert.Null(r.Leakage);
        Assert.False(File.Exists(tmp.File("leakage.json")));
        Assert.False((bool)JsonNode.Parse(File.ReadAllText(tmp.File("summary.json")))!["clean"]!);
    }

    [Fact]
    public void ManifestsAreByteIdenticalForASeedAndDifferAcrossSeeds()
    {
        using var a = Fixtures.TempDir();
        using var b = Fixtures.TempDir();
        using var c = Fixtures.TempDir();
        ManifestBuilder.Build(Options(a.Path, clean: false, seed: 3));
        ManifestBuilder.Build(Options(b.Path, clean: false, seed: 3));
        ManifestBuilder.Build(Options(c.Path, clean: false, seed: 4));
        Assert.Equal(File.ReadAllBytes(a.File("val.jsonl")), File.ReadAllBytes(b.File("val.jsonl")));
        Assert.Equal(File.ReadAllBytes(a.File("train.jsonl")), File.ReadAllBytes(b.File("train.jsonl")));
        Assert.NotEqual(File.ReadAllBytes(a.File("val.jsonl")), File.ReadAllBytes(c.File("val.jsonl")));
    }

    [Fact]
    public void AudioSplitHasNoStraddlingAudio()
    {
        var r = ManifestBuilder.Build(Options(null, clean: false, by: SplitBy.Audio));
        Assert.Equal(0, r.Summary.StraddlingAudio);
        var trainAudio = r.Train.Select(p => p.AudioPath).ToHashSet();
        Assert.DoesNotContain(r.Val, p => trainAudio.Contains(p.AudioPath));
    }

    [Fact]
    public void WithoutAnyDatasetTheSettingIsRejected()
    {
        var e = Assert.Throws<ClapAuditException>(() => ManifestBuilder.Build(new ManifestBuildOptions(null)));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
    }
}
