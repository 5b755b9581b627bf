using ClapAudit.Common;
using ClapAudit.Experiments;
using ClapAudit.Tests.Cli;

namespace ClapAudit.Tests.Experiments;

/// <summary>A grid config is checked whole when it is loaded, before any step runs.</summary>
public class GridConfigTests
{
    private const string Valid = "esc50: e\nbert: b\nclotho: c\ncnn14_dirty: d.pth\naudio_set: a\n";

    private static ClapAuditException LoadFails(string yaml)
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("grid.yaml"), yaml);
        return Assert.Throws<ClapAuditException>(() => GridConfig.Load(dir.File("grid.yaml")));
    }

    [Fact]
    public void AnUnknownTopLevelKeyIsNamedWithTheKnownKeys()
    {
        var e = LoadFails(Valid + "devise: cuda\n");
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains("unknown key 'devise' at the top level", e.Message);
        Assert.Contains("device", e.Message);
        Assert.Contains("random_init_channels", e.Message);
    }

    [Theory]
    [InlineData("pretraining", "epochs", "max_epochs")]
    [InlineData("training", "epochs", "frozen_epochs")]
    public void AnUnknownRecipeKeyIsNamedWithItsSectionAndTheKnownKeys(string section, string key, string known)
    {
        var e = LoadFails(Valid + $"{section}:\n  {key}: \"30\"\n");
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains($"{section}: ", e.Message);
        Assert.Contains($"key '{key}' is unknown", e.Message);
        Assert.Contains(known, e.Message);
    }

    [Fact]
    public void ABadRecipeValueIsRefusedAtLoadTime()
    {
        var e = LoadFails(Valid + "pretraining:\n  batch_size: \"many\"\n");
        Assert.Contains("pretraining: ", e.Message);
        Assert.Contains("batch_size", e.Message);
    }

    [Fact]
    public void TheGridCommandStopsOnABadKeyBeforeAnyStepWritesAnything()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("grid.yaml"), Valid + "pretraining:\n  epochs: \"30\"\n");
        string outDir = dir.File("grid");
        var (code, _, err) = CliTestHost.Run("grid", "--config", dir.File("grid.yaml"), "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("pretraining: pretrain key 'epochs' is unknown", err);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }
}
