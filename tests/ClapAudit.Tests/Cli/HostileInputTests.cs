using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Tests.Clap;
using ClapAudit.Training;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// Hostile inputs of issue 20, each as the command a user runs, with the exit code and the message it gets
/// (the table in docs/hostile-inputs.md). Broken audio comes from tools/make_hostile_fixtures.py.
/// </summary>
public class HostileInputTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static string Hostile(string name) => Fixtures.Path("hostile", name);

    private static (int Code, string Out, string Err) EmbedAudio(string file, params string[] extra)
    {
        using var tmp = Fixtures.TempDir();
        return CliTestHost.Run(new[]
        {
            "embed-audio", "--cnn14", ClapWorld.Cnn14Tiny, file, "--out", tmp.File("x.npy"),
            "--sample-rate", "16000", "--duration", "1",
        }.Concat(extra).ToArray());
    }

    // Decoded on a worker thread (Parallel.For): the worker's error kind must reach the exit code.
    [Theory]
    [InlineData("empty.wav", 4, "not a recognised audio format")]
    [InlineData("text.wav", 4, "not a recognised audio format")]
    [InlineData("rate0.wav", 4, "sample rate 0")]
    [InlineData("channels0.wav", 4, "0 channels")]
    [InlineData("adpcm.wav", 4, "unsupported WAV encoding (format tag 2")]
    [InlineData("mulaw.wav", 4, "unsupported WAV encoding (format tag 7")]
    [InlineData("short-data.wav", 4, "WAV is truncated")]
    [InlineData("truncated.flac", 4, "truncated.flac")]
    [InlineData("truncated.ogg", 4, "truncated.ogg")]
    [InlineData("nan.wav", 6, "NaN sample at frame 100")]
    [InlineData("rate1.wav", 4, "declares a sample rate of 1 Hz")]
    public void BrokenAudioGetsItsKindAndNamesTheFile(string name, int code, string message)
    {
        var (exit, _, err) = EmbedAudio(Hostile(name));
        output.WriteLine(err);
        Assert.Equal(code, exit);
        Assert.Contains(Hostile(name), err);
        Assert.Contains(message, err);
        Assert.DoesNotContain("internal error", err);
    }

    [Theory]
    [InlineData("-1", "offset must be a non-negative number of seconds")]
    [InlineData("5", "offset 5 s is at or beyond the end of the clip")]
    public void AnOffsetOutsideTheClipIsAUsageError(string offset, string message)
    {
        using var tmp = Fixtures.TempDir();
        string wav = tmp.File("tone.wav");
        ClapWorld.WriteWav(wav, ClapWorld.Tone(0, 0));
        var (exit, _, err) = EmbedAudio(wav, "--offset", offset);
        Assert.Equal(2, exit);
        Assert.Contains(message, err);
    }

    [Fact]
    public void ParallelErrorsUnwrapsToTheMostTellingInnerException()
    {
        var data = new ClapAuditException(ErrorKind.InvalidData, "x.wav: bad");
        var aggregate = new AggregateException(new OperationCanceledException(),
            new AggregateException(new InvalidOperationException(), data));
        Assert.Same(data, ParallelErrors.Unwrap(aggregate));
        var e = Assert.Throws<ClapAuditException>(() => ParallelErrors.Run(() => Parallel.For(0, 4, i =>
        {
            if (i == 2) throw new ClapAuditException(ErrorKind.NonFinite, "row 2");
        })));
        Assert.Equal(ErrorKind.NonFinite, e.Kind);
    }

    [Fact]
    public void EmbeddingABackboneBundleOverAClapBundleLeavesNoFileOfTheOldModel()
    {
        using var tmp = Fixtures.TempDir();
        string folder = tmp.File("bundle");
        var m = new EmbeddingMatrix([1, 0, 0, 1], 2, 2);
        EmbeddingBundleWriter.Write(folder, m, m, [0, 1], ["a", "b"], m, m);
        File.WriteAllText(Path.Combine(folder, ".step.json"), "{}"); // a grid step's marker stays
        var backbone = new EmbeddingMatrix([2, 0, 0, 2, 1, 1], 2, 3);
        EmbeddingBundleWriter.Write(folder, null, null, [1, 0], ["a", "b"], backbone, null);

        Assert.False(File.Exists(Path.Combine(folder, "audio.npy")));
        Assert.False(File.Exists(Path.Combine(folder, "text.npy")));
        Assert.False(File.Exists(Path.Combine(folder, "text_backbone.npy")));
        Assert.True(File.Exists(Path.Combine(folder, ".step.json")));
        Assert.False(Directory.Exists(folder + ".tmp"));
        var back = EmbeddingBundle.Load(folder);
        Assert.Null(back.Audio);
        Assert.Equal(3, back.AudioBackbone!.Columns);
        Assert.Equal([1, 0], back.Labels);

        string file = tmp.File("a-file");
        File.WriteAllText(file, "");
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingBundleWriter.Write(file, m, m, [0, 1], ["a", "b"]));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains("is a file; the bundle folder must be a folder", e.Message);
    }

    /// <summary>The tiny ESC-50 of 6 clips with two audio files deleted (1-200-A-2.wav first).</summary>
    private static string Esc50WithTwoClipsMissing(string folder)
    {
        string esc50 = ClapWorld.Esc50(folder);
        File.Delete(Path.Combine(esc50, "audio", "1-200-A-2.wav"));
        File.Delete(Path.Combine(esc50, "audio", "2-201-A-2.wav"));
        return esc50;
    }

    [Fact]
    public void MissingEsc50ClipsAreRefusedUnlessAllowed()
    {
        using var tmp = Fixtures.TempDir();
        string esc50 = Esc50WithTwoClipsMissing(tmp.Path);
        foreach (var command in new[] { "zeroshot", "embed" })
        {
            string[] args = [command, "--model", tmp.File("no-run"), "--esc50", esc50, "--out", tmp.File("o")];
            var (exit, _, err) = CliTestHost.Run(args);
            Assert.Equal(3, exit);
            Assert.Contains("2 of 6 selected ESC-50 clips have no audio file (first: audio/1-200-A-2.wav)", err);
            Assert.Contains("--allow-missing", err);
            // Allowed: a warning, then the command goes on (here to the missing model).
            (exit, _, err) = CliTestHost.Run([.. args, "--allow-missing"]);
            Assert.Contains("warning:", err);
            Assert.Contains("going on with the 4 present", err);
            Assert.Contains("no-run", err);
        }
    }

    [Fact]
    public void GridRefusesMissingEsc50ClipsBeforeItsFirstStepUnlessAllowed()
    {
        using var tmp = Fixtures.TempDir();
        string esc50 = Esc50WithTwoClipsMissing(tmp.Path);
        string config = tmp.File("grid.yaml"), grid = tmp.File("grid");
        File.WriteAllText(config, $"""
            esc50: {esc50}
            bert: {ClapWorld.Bert}
            clotho: {tmp.File("no-clotho")}
            setups: [dirty/none]
            report: false
            """);
        var (exit, _, err) = CliTestHost.Run("grid", "--config", config, "--out", grid);
        Assert.Equal(3, exit);
        Assert.Contains($"clapaudit: {esc50}: 2 of 6 selected ESC-50 clips have no audio file (first: audio/1-200-A-2.wav); " +
                        "pass --allow-missing to go on with the 4 present", err);
        Assert.False(Directory.Exists(Path.Combine(grid, "data")), "a step ran before the check");

        // Allowed: the warning, then the grid runs its steps (here the data step fails on the absent Clotho folder).
        (exit, _, err) = CliTestHost.Run("grid", "--config", config, "--out", grid, "--allow-missing");
        output.WriteLine(err);
        Assert.Contains($"warning: {esc50}: 2 of 6 selected ESC-50 clips have no audio file (first: audio/1-200-A-2.wav); " +
                        "going on with the 4 present (--allow-missing)", err);
        Assert.Equal(4, exit);
        Assert.Contains("no-clotho", err);
    }

    [Fact]
    public void TrainRefusesToResumeOnAnotherManifestOrBert()
    {
        using var tmp = Fixtures.TempDir();
        string manifest = ClapWorld.Manifest(tmp.Path), run = tmp.File("run");
        string[] Train(string m, string bert) =>
            new[] { "train", "--manifest", m, "--bert", bert, "--cnn14", ClapWorld.Cnn14Tiny, "--out", run }
                .Concat(ClapWorld.Overrides.SelectMany(o => new[] { "--set", o }))
                .Concat(["--set", "max_epochs=1"]).ToArray();
        var (code, _, err) = CliTestHost.Run(Train(manifest, ClapWorld.Bert));
        Assert.True(code == 0, err);
        string runJson = File.ReadAllText(Path.Combine(run, "run.json"));
        Assert.Contains("\"inputs\"", runJson);
        Assert.Contains("\"sha256\"", runJson);
        var inputs = RunInputs.Read(Path.Combine(run, "run.json"));
        Assert.Equal(["manifest", "bert", "cnn14"], inputs.Select(i => i.Name));

        // Another manifest folder with other pairs (one caption changed): refused, naming both paths.
        string other = Path.Combine(tmp.Path, "other");
        Directory.CreateDirectory(other);
        foreach (var f in new[] { "train.jsonl", "val.jsonl" })
            File.WriteAllText(Path.Combine(other, f),
                File.ReadAllText(Path.Combine(manifest, f)).Replace("the cat", "a cat"));
        (code, _, err) = CliTestHost.Run(Train(other, ClapWorld.Bert));
        Assert.Equal(5, code);
        Assert.Contains(
            $"manifest is {Path.GetFullPath(other)}, but the run was started with {Path.GetFullPath(manifest)}", err);

        // The same BERT folder, changed in place: refused.
        string bert = Path.Combine(tmp.Path, "bert");
        Directory.CreateDirectory(bert);
        foreach (var f in Directory.GetFiles(ClapWorld.Bert)) File.Copy(f, Path.Combine(bert, Path.GetFileName(f)));
        var (c2, _, e2) = CliTestHost.Run(Train(manifest, bert));
        Assert.True(c2 == 0, e2); // a byte-identical copy elsewhere is the same input: accepted
        File.AppendAllText(Path.Combine(bert, "config.json"), "\n");
        (code, _, err) = CliTestHost.Run(Train(manifest, bert));
        Assert.Equal(5, code);
        Assert.Contains("bert", err);
        Assert.Contains("use a new run directory or the original inputs", err);

        // Started on a CNN14 file, resumed from random initialisation: refused, naming the file.
        var none = Train(manifest, ClapWorld.Bert);
        none[Array.IndexOf(none, "--cnn14") + 1] = "none";
        (code, _, err) = CliTestHost.Run(none);
        Assert.Equal(5, code);
        Assert.Contains($"the run was started with cnn14 {Path.GetFullPath(ClapWorld.Cnn14Tiny)}, but none is given now", err);
    }
}
