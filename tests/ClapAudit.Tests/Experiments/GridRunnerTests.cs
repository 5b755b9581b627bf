using System.Text.Json;
using ClapAudit.Common;
using ClapAudit.Experiments;
using ClapAudit.Training;

namespace ClapAudit.Tests.Experiments;

public class GridRunnerTests
{
    /// <summary>Records the calls; fails or cancels on request; writes a file into each step folder.</summary>
    private sealed class FakeSteps : IGridSteps
    {
        public List<string> Calls { get; } = [];
        public string? FailOn { get; set; }
        /// <summary>How many times <see cref="FailOn"/> fails before it succeeds (default: always).</summary>
        public int FailTimes { get; set; } = int.MaxValue;
        public string? CancelOn { get; set; }
        public CancellationTokenSource? Cancel { get; set; }

        private StepOutcome Do(string name, string folder)
        {
            Calls.Add(name);
            if (name == CancelOn) { Cancel!.Cancel(); Cancel.Token.ThrowIfCancellationRequested(); }
            if (name == FailOn && FailTimes-- > 0) throw new ClapAuditException(ErrorKind.InvalidData, $"{name} broke");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "out.txt"), name);
            return new StepOutcome($"{name} ok", new Dictionary<string, double> { ["x"] = Calls.Count });
        }

        public StepOutcome PrepareData(GridPlan p, string t, IProgress<string> pr, CancellationToken ct) => Do($"data {t}", p.ManifestDirectory(t));
        public StepOutcome Pretrain(GridPlan p, string v, IProgress<TrainingProgress> pr, CancellationToken ct) => Do($"pretrain {v}", p.PathOf(Path.Combine("pretrain", v)));
        public StepOutcome EmbedBackbones(GridPlan p, string v, IProgress<string> pr, CancellationToken ct) => Do($"backbones {v}", p.BackboneBundleDirectory(v));
        public StepOutcome Train(GridPlan p, GridSetup s, IProgress<TrainingProgress> pr, CancellationToken ct) => Do($"train {s}", p.RunDirectory(s));
        public StepOutcome ZeroShot(GridPlan p, GridSetup s, IProgress<string> pr, CancellationToken ct) => Do($"zeroshot {s}", Path.GetDirectoryName(p.ZeroShotPath(s))!);
        public StepOutcome Embed(GridPlan p, GridSetup s, IProgress<string> pr, CancellationToken ct) => Do($"embed {s}", p.BundleDirectory(s));
    }

    private static GridConfig Config(params string[] setups) => new GridConfig
    {
        Esc50 = "/esc50",
        Bert = "/bert",
        Clotho = "/clotho",
        AudioSet = "/audioset",
        Setups = [.. setups],
    }.Validated();

    [Fact]
    public void RunsEveryStepInDependencyOrderThenSkipsThemAll()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config(), dir.Path);
        var fake = new FakeSteps();
        var result = GridRunner.Run(plan, fake);

        // 2 data + 2 pretrain + 2 backbones + 6 x (train, zeroshot, embed)
        Assert.Equal(24, result.Done);
        Assert.Equal(24, fake.Calls.Count);
        Assert.Equal(["data dirty", "data clean", "pretrain dirty", "pretrain clean", "backbones dirty", "backbones clean", "train dirty/dirty"], fake.Calls.Take(7));
        Assert.Equal("embed clean/none", fake.Calls[^1]);
        foreach (var (step, marker) in GridRunner.Status(plan)) Assert.Equal(StepState.Done, marker.State);

        var again = new FakeSteps();
        var rerun = GridRunner.Run(plan, again);
        Assert.Empty(again.Calls);
        Assert.Equal(24, rerun.Skipped);
    }

    [Fact]
    public void ARerunWithOtherSettingsIsRefusedNamingWhatChangedButThreadsAndSetupsMayChange()
    {
        using var dir = Fixtures.TempDir();
        GridRunner.Run(new GridPlan(Config("dirty/dirty"), dir.Path), new FakeSteps());

        var changed = Config("dirty/dirty") with { Training = new() { ["max_epochs"] = "10" }, Seed = 3 };
        var fake = new FakeSteps();
        var e = Assert.Throws<ClapAuditException>(() => GridRunner.Run(new GridPlan(changed, dir.Path), fake));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("seed, training.max_epochs differ", e.Message);
        Assert.Empty(fake.Calls);

        // Threads, title and the choice of setups do not change any finished step's result.
        var same = Config("dirty/dirty", "clean/none") with { Threads = 1, Title = "renamed" };
        var more = new FakeSteps();
        GridRunner.Run(new GridPlan(same, dir.Path), more);
        Assert.Contains("train clean/none", more.Calls);
        Assert.DoesNotContain("train dirty/dirty", more.Calls);
    }

    [Fact]
    public void OnlyTheStepsTheChosenSetupsNeedArePlanned()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config("clean/none", "clean/clean"), dir.Path);
        Assert.Equal(["data clean", "pretrain clean", "backbones clean", "train clean/clean", "zeroshot clean/clean", "embed clean/clean",
            "train clean/none", "zeroshot clean/none", "embed clean/none"], plan.Steps.Select(s => s.Name));
        Assert.Equal(["data clean"], plan.Steps.Single(s => s.Name == "train clean/none").DependsOn);
    }

    [Fact]
    public void AFailedStepIsMarkedAndARerunDoesOnlyWhatIsLeft()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config("dirty/dirty", "dirty/none"), dir.Path);
        var fake = new FakeSteps { FailOn = "train dirty/dirty" };
        var result = GridRunner.Run(plan, fake, keepGoing: true, retries: 0);

        Assert.Equal(1, result.Failed);
        Assert.Equal(2, result.Blocked); // zeroshot and embed of dirty/dirty
        Assert.Contains("train dirty/dirty: train dirty/dirty broke", result.Errors);
        var status = GridRunner.Status(plan).ToDictionary(s => s.Step.Name, s => s.Marker);
        Assert.Equal(StepState.Failed, status["train dirty/dirty"].State);
        Assert.Equal("train dirty/dirty broke", status["train dirty/dirty"].Error);
        Assert.Equal(StepState.Pending, status["zeroshot dirty/dirty"].State);
        Assert.Equal(StepState.Done, status["embed dirty/none"].State);

        var fixedSteps = new FakeSteps();
        GridRunner.Run(plan, fixedSteps);
        Assert.Equal(["train dirty/dirty", "zeroshot dirty/dirty", "embed dirty/dirty"], fixedSteps.Calls);
    }

    [Fact]
    public void AStepThatFailsOnceIsRetriedAndItsRunGoesOn()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config("dirty/none"), dir.Path);
        var fake = new FakeSteps { FailOn = "train dirty/none", FailTimes = 1 };
        var messages = new List<string>();
        var result = GridRunner.Run(plan, fake, new SyncProgress<GridProgress>(p => { if (p.Message is not null) messages.Add(p.Message); }));
        Assert.True(result.Succeeded);
        Assert.Equal(2, fake.Calls.Count(c => c == "train dirty/none"));
        Assert.Contains("failed (train dirty/none broke); trying again", messages);
        Assert.Equal(StepState.Done, GridRunner.Status(plan).Single(s => s.Step.Name == "train dirty/none").Marker.State);
    }

    [Fact]
    public void WithoutKeepGoingTheRunStopsAtTheFirstFailure()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config("dirty/none"), dir.Path);
        var fake = new FakeSteps { FailOn = "data dirty" };
        var result = GridRunner.Run(plan, fake, retries: 0);
        Assert.False(result.Succeeded);
        Assert.Equal(["data dirty"], fake.Calls);
    }

    [Fact]
    public void AKilledStepReadsAsInterruptedAndRunsAgain()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config("dirty/none"), dir.Path);
        using var cts = new CancellationTokenSource();
        var fake = new FakeSteps { CancelOn = "train dirty/none", Cancel = cts };
        Assert.ThrowsAny<OperationCanceledException>(() => GridRunner.Run(plan, fake, cancellationToken: cts.Token));

        // This process is alive, so the marker says running; a marker left by a dead process reads as interrupted.
        string trainFolder = plan.PathOf(plan.Steps.Single(s => s.Name == "train dirty/none").Folder);
        Assert.Equal(StepState.Running, StepMarker.Read(trainFolder).State);
        new StepMarker { State = StepState.Running, ProcessId = int.MaxValue - 7, Started = DateTimeOffset.UtcNow }.Write(trainFolder);
        Assert.Equal(StepState.Interrupted, StepMarker.Read(trainFolder).State);

        var resumed = new FakeSteps();
        GridRunner.Run(plan, resumed);
        Assert.Equal(["train dirty/none", "zeroshot dirty/none", "embed dirty/none"], resumed.Calls);
    }

    [Fact]
    public void GridJsonListsEverySelectedSetupTheBackbonesAndTheLeakageReport()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config(), dir.Path);
        GridRunner.Run(plan, new FakeSteps { FailOn = "data dirty" });
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("grid.json")));
        var root = doc.RootElement;
        Assert.Equal(6, root.GetProperty("setups").GetArrayLength());
        var first = root.GetProperty("setups")[0];
        Assert.Equal("dirty", first.GetProperty("training").GetString());
        Assert.Equal("setups/dirty-dirty/bundle", first.GetProperty("bundle").GetString());
        Assert.Equal(["x_a, dirty pre-training", "x_a, clean pre-training", "x_t (text backbone)"],
            root.GetProperty("backbones").EnumerateArray().Select(b => b.GetProperty("caption").GetString()!));
        Assert.Equal("data/clean/leakage.json", root.GetProperty("leakage").GetString());
        Assert.Equal(plan.Config.Esc50, GridRunner.LoadSavedConfig(dir.Path).Esc50);
    }

    [Fact]
    public void GridStatusShowsEachStepsStateAndKeyFigure()
    {
        using var dir = Fixtures.TempDir();
        var plan = new GridPlan(Config("clean/none"), dir.Path);
        GridRunner.Run(plan, new FakeSteps { FailOn = "zeroshot clean/none" }, keepGoing: true, retries: 0);

        var (code, output, err) = ClapAudit.Tests.Cli.CliTestHost.Run("grid", "status", dir.Path, "--json", "-");
        Assert.True(code == 0, err);
        Assert.Contains("train clean/none ok", output);
        int jsonStart = output.IndexOf("{\n  \"grid\"", StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(output[jsonStart..]);
        var states = doc.RootElement.GetProperty("steps").EnumerateArray()
            .ToDictionary(e => e.GetProperty("step").GetString()!, e => e.GetProperty("state").GetString()!);
        Assert.Equal("done", states["data clean"]);
        Assert.Equal("failed", states["zeroshot clean/none"]);
        Assert.Equal("done", states["embed clean/none"]);

        var (missingCode, _, missingErr) = ClapAudit.Tests.Cli.CliTestHost.Run("grid", "status", dir.File("nowhere"));
        Assert.Equal(3, missingCode);
        Assert.Contains("not a grid folder", missingErr);
    }

    [Fact]
    public void ConfigLoadsFromYamlWithPathsRelativeToItsFolderAndNamesWhatIsMissing()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("grid.yaml"), """
            title: My grid
            esc50: data/ESC-50-master
            bert: models/bert-base-uncased
            clotho: data/clotho
            cnn14_dirty: models/Cnn14_mAP=0.431.pth
            audio_set: data/audioset
            setups: [dirty/dirty, clean/clean]
            training:
              max_epochs: "3"
            seed: 7
            """);
        var c = GridConfig.Load(dir.File("grid.yaml"));
        Assert.Equal(Path.Combine(dir.Path, "data", "ESC-50-master"), c.Esc50);
        Assert.Equal(Path.Combine(dir.Path, "models", "Cnn14_mAP=0.431.pth"), c.Cnn14Dirty);
        Assert.Equal([new GridSetup("dirty", "dirty"), new GridSetup("clean", "clean")], c.SelectedSetups());
        Assert.Equal("3", c.Training["max_epochs"]);
        Assert.Equal(7, c.Seed);

        File.WriteAllText(dir.File("bad.yaml"), "esc50: x\nbert: y\nclotho: z\nsetups: [clean/clean]\n");
        var e = Assert.Throws<ClapAuditException>(() => GridConfig.Load(dir.File("bad.yaml")));
        Assert.Contains("audio_set", e.Message);
        var setup = Assert.Throws<ClapAuditException>(() => GridSetup.Parse("muddy/clean"));
        Assert.Contains("muddy/clean", setup.Message);
    }
}
