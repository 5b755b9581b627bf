using ClapAudit.Common;
using ClapAudit.Synthetic;
using ClapAudit.Tests.Cli;

namespace ClapAudit.Tests.Synthetic;

/// <summary>Generation is deterministic by seed, idempotent, validated, and reachable from the CLI.</summary>
[Collection(QuickWorldCollection.Name)]
public sealed class SyntheticGenerationTests(QuickWorldFixture world)
{
    /// <summary>A world small enough to generate several times in a test.</summary>
    private static readonly SyntheticWorldOptions Tiny = SyntheticWorldOptions.Quick with
    {
        TestClasses = 4,
        OtherClasses = 6,
        PretrainClipsPerClass = 3,
        CaptionedClipsPerClass = 4,
        TestClipsPerClass = 5,
        CorpusContextsPerClass = 5,
    };

    private static IEnumerable<string> Sample(string root) =>
        new[] { "esc50/meta/esc50.csv", "clotho/clotho_captions_development.csv", "audioset/balanced_train_segments.csv",
                "audioset/class_labels_indices.csv", "text/corpus.txt", "text/vocab.txt" }
        .Concat(Directory.EnumerateFiles(Path.Combine(root, "esc50", "audio")).Order(StringComparer.Ordinal).Take(4).Select(f => Path.GetRelativePath(root, f)))
        .Concat(Directory.EnumerateFiles(Path.Combine(root, "audioset", "audio")).Order(StringComparer.Ordinal).Take(4).Select(f => Path.GetRelativePath(root, f)))
        .Concat(Directory.EnumerateFiles(Path.Combine(root, "clotho", "development")).Order(StringComparer.Ordinal).Take(4).Select(f => Path.GetRelativePath(root, f)));

    [Fact]
    public void SameSeedGivesIdenticalBytesAnotherSeedDifferentOnes()
    {
        using var dir = Fixtures.TempDir();
        var a = SyntheticWorld.Generate(Tiny, dir.File("a"));
        var b = SyntheticWorld.Generate(Tiny, dir.File("b"));
        var c = SyntheticWorld.Generate(Tiny with { Seed = 1 }, dir.File("c"));
        var files = Sample(a.Root).ToList();
        Assert.True(files.Count >= 18);
        foreach (var f in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Root, f)), File.ReadAllBytes(Path.Combine(b.Root, f)));
        Assert.Equal(File.ReadAllText(a.WorldJsonPath), File.ReadAllText(b.WorldJsonPath));
        Assert.NotEqual(a.Classes.Select(k => k.Name), c.Classes.Select(k => k.Name));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a.Root, "text/corpus.txt")), File.ReadAllBytes(Path.Combine(c.Root, "text/corpus.txt")));
        // Same clip position, another seed: different audio.
        var wavA = Directory.EnumerateFiles(Path.Combine(a.Root, "clotho", "development")).Order(StringComparer.Ordinal).First();
        var wavC = Directory.EnumerateFiles(Path.Combine(c.Root, "clotho", "development")).Order(StringComparer.Ordinal).First();
        Assert.NotEqual(File.ReadAllBytes(wavA), File.ReadAllBytes(wavC));
    }

    [Fact]
    public void SameOptionsAgainReusesTheWorldOtherOptionsReplaceIt()
    {
        using var dir = Fixtures.TempDir();
        string root = dir.File("w");
        var first = SyntheticWorld.Generate(Tiny, root);
        Assert.False(first.Reused);
        var stamp = File.GetLastWriteTimeUtc(first.WorldJsonPath);
        var messages = new List<string>();
        var again = SyntheticWorld.Generate(Tiny, root, new SyncProgress(messages));
        Assert.True(again.Reused);
        Assert.Equal(first.Classes, again.Classes);
        Assert.Equal(first.Counts, again.Counts);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(first.WorldJsonPath));
        Assert.Contains(messages, m => m.Contains("reusing"));

        var bigger = SyntheticWorld.Generate(Tiny with { TestClipsPerClass = 6 }, root);
        Assert.False(bigger.Reused);
        Assert.Equal(4 * 6, Directory.EnumerateFiles(Path.Combine(root, "esc50", "audio")).Count());
    }

    [Fact]
    public void AForeignNonEmptyFolderIsRefused()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("thesis.txt"), "precious");
        var e = Assert.Throws<ClapAuditException>(() => SyntheticWorld.Generate(Tiny, dir.Path));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains("world.json", e.Message);
        Assert.True(File.Exists(dir.File("thesis.txt")));
    }

    [Theory]
    [InlineData("test")]
    [InlineData("rate")]
    [InlineData("probabilities")]
    public void InvalidOptionsAreRejectedWithTheirName(string which)
    {
        var bad = which switch
        {
            "test" => Tiny with { TestClasses = 49 },
            "rate" => Tiny with { SampleRate = 100 },
            _ => Tiny with { NameProbability = 0.9, NamelessProbability = 0.2 },
        };
        var e = Assert.Throws<ClapAuditException>(() => SyntheticWorld.Generate(bad, Path.Combine(Path.GetTempPath(), "never-written")));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains(which switch { "test" => "TestClasses", "rate" => "SampleRate", _ => "NameProbability" }, e.Message);
    }

    [Fact]
    public void PresetsKeepPreTrainingMuchLargerThanCaptioning()
    {
        foreach (var o in new[] { SyntheticWorldOptions.Quick, SyntheticWorldOptions.Default })
        {
            o.Validate();
            Assert.True(o.PretrainClipsPerClass >= 3 * o.CaptionedClipsPerClass);
            Assert.InRange(o.TestClasses, 8, 50);
        }
        Assert.Equal(20, SyntheticWorldOptions.Default.TestClasses);
    }

    [Fact]
    public void WorldCommandWritesOrReusesTheQuickWorld()
    {
        // The fixture's world is the Quick one with seed 0: the command finds it and reuses it.
        var (code, output, err) = CliTestHost.Run("world", "--out", world.Layout.Root, "--quick", "--seed", "0");
        Assert.True(code == 0, err);
        Assert.Contains("reused", output);
        Assert.Contains(world.Layout.TestClasses[0].Name, output);
        Assert.Contains("reusing", err);

        var (code2, _, err2) = CliTestHost.Run("world", "--quick");
        Assert.Equal(2, code2);
        Assert.Contains("--out", err2);
    }

    private sealed class SyncProgress(List<string> sink) : IProgress<string>
    {
        public void Report(string value) => sink.Add(value);
    }
}
