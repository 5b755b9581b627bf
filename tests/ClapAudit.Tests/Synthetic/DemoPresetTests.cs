using ClapAudit.Common;
using ClapAudit.Synthetic;

namespace ClapAudit.Tests.Synthetic;

public class DemoPresetTests
{
    [Fact]
    public void OverridesReachTheWorldTheTextBackboneAndBothRecipes()
    {
        var p = DemoPreset.Quick.WithOverrides(["world.test_classes=6", "world.synonym_only_fraction=0.25",
            "text.steps=50", "training.max_epochs=7", "pretraining.batch_size=16"]);
        Assert.Equal(6, p.World.TestClasses);
        Assert.Equal(0.25, p.World.SynonymOnlyFraction);
        Assert.Equal(50, p.Text.Steps);
        Assert.Equal("7", p.Training["max_epochs"]);
        Assert.Equal("16", p.Pretraining["batch_size"]);
        Assert.Equal(DemoPreset.Quick.World.OtherClasses, p.World.OtherClasses);
        Assert.NotEqual("7", DemoPreset.Quick.Training["max_epochs"]); // the shared preset is untouched
    }

    [Theory]
    [InlineData("test_classes=6", "expected section.key=value")]
    [InlineData("audio.test_classes=6", "unknown section 'audio'")]
    [InlineData("world.tests=6", "world key 'tests' is unknown")]
    [InlineData("world.test_classes=many", "is not a valid Int32")]
    [InlineData("world.test_classes=1", "TestClasses")]
    [InlineData("text.steps=0", "steps")]
    [InlineData("training.epochs=3", "recipe key 'epochs' is unknown")]
    [InlineData("pretraining.epochs=3", "pretrain key 'epochs' is unknown")]
    public void ABadOverrideIsASettingErrorThatSaysWhatIsWrong(string item, string message)
    {
        var e = Assert.Throws<ClapAuditException>(() => DemoPreset.Quick.WithOverrides([item]));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AFolderIsClaimedByOnePresetAndSeedAndRefusesAnother()
    {
        using var dir = Fixtures.TempDir();
        DemoPreset.Quick.Claim(dir.Path, 0);
        DemoPreset.Quick.Claim(dir.Path, 0); // the same run again: resumes

        var other = Assert.Throws<ClapAuditException>(() => DemoPreset.Quick.Claim(dir.Path, 1));
        Assert.Contains(dir.Path, other.Message);
        Assert.Throws<ClapAuditException>(() => DemoPreset.Quick.WithOverrides(["training.max_epochs=9"]).Claim(dir.Path, 0));
        Assert.Throws<ClapAuditException>(() => DemoPreset.Default.Claim(dir.Path, 0));
    }
}
