using System.Text.Json;
using ClapAudit.Checkpoints;
using ClapAudit.Tests.Cli;
using Xunit;

namespace ClapAudit.Tests.Training.Pretraining;

public sealed class PretrainCommandTests
{
    private static readonly string[] Tiny =
    [
        "--set", "base_width=4", "--set", "mel_bins=32", "--set", "sample_rate=16000", "--set", "duration_seconds=0.5",
        "--set", "window_size=512", "--set", "hop_size=160", "--set", "fmax=8000", "--set", "batch_size=8",
        "--set", "max_epochs=1", "--set", "workers=2", "--threads", "2",
    ];

    [Fact]
    public void PretrainCleanWritesALoadableCheckpointJsonLinesAndARerunResumes()
    {
        using var tmp = Fixtures.TempDir();
        string audioset = PretrainFixtures.WriteAudioSet(tmp.Path);
        string esc = PretrainFixtures.WriteEsc50(tmp.Path);
        string outFile = tmp.File("clean.pth");
        string[] args = ["pretrain", "--audioset", audioset, "--out", outFile, "--clean-against", esc, "--json", tmp.File("log.jsonl"), .. Tiny];
        var (code, stdout, stderr) = CliTestHost.Run(args);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("clips removed by the leakage filter", stdout);
        Assert.Contains("Dog", stdout);
        Assert.True(Directory.Exists(outFile + ".run"));
        var lines = File.ReadAllLines(tmp.File("log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("epoch", lines[0].GetProperty("event").GetString());
        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("event").GetString());
        Assert.Equal(PretrainFixtures.CleanRemovedClips, summary.GetProperty("removed_clips").GetInt32());
        using (var loaded = Cnn14Checkpoint.Load(outFile)) Assert.True(loaded.Report.IsExact);

        // The same command again: the run is finished, nothing is retrained.
        var (code2, stdout2, stderr2) = CliTestHost.Run(args);
        Assert.True(code2 == 0, stderr2);
        Assert.DoesNotContain("epoch 1:", stdout2);

        // Changing a non-resumable setting on the same run directory is refused (exit 5, mismatch).
        var (code3, _, stderr3) = CliTestHost.Run([.. args, "--set", "learning_rate=0.01"]);
        Assert.Equal(5, code3);
        Assert.Contains("learning_rate", stderr3);
    }

    [Fact]
    public void ARerunOnOtherAudioSetMetadataOrWithoutTheCleanAgainstFolderIsRefused()
    {
        using var tmp = Fixtures.TempDir();
        string audioset = PretrainFixtures.WriteAudioSet(tmp.Path);
        string esc = PretrainFixtures.WriteEsc50(tmp.Path);
        string outFile = tmp.File("clean.pth");
        string[] args = ["pretrain", "--audioset", audioset, "--out", outFile, "--clean-against", esc, .. Tiny];
        var (code, _, stderr) = CliTestHost.Run(args);
        Assert.True(code == 0, stderr);
        string runJson = Path.Combine(outFile + ".run", "run.json");
        var inputs = JsonDocument.Parse(File.ReadAllText(runJson)).RootElement.GetProperty("inputs").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("path").GetString()!);
        Assert.Equal(new Dictionary<string, string> { ["audioset"] = audioset, ["esc50"] = esc }, inputs);

        // A byte-identical copy elsewhere is the same input.
        string copy = tmp.File("audioset-copy");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(audioset)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        Directory.CreateSymbolicLink(Path.Combine(copy, "audio"), Path.Combine(audioset, "audio"));
        string[] onCopy = ["pretrain", "--audioset", copy, "--out", outFile, "--clean-against", esc, .. Tiny];
        var (same, _, sameErr) = CliTestHost.Run(onCopy);
        Assert.True(same == 0, sameErr);

        // One clip relabelled (Speech to Guitar): the same clip and class counts, so only the recorded hash sees it.
        string segments = Path.Combine(copy, "balanced_train_segments.csv");
        string speech = PretrainFixtures.Classes[3].Mid, guitar = PretrainFixtures.Classes[5].Mid;
        File.WriteAllText(segments, File.ReadAllText(segments).Replace($"c3k0, 0.000, 1.000, \"{speech}\"", $"c3k0, 0.000, 1.000, \"{guitar}\""));
        var (changed, _, changedErr) = CliTestHost.Run(onCopy);
        Assert.Equal(5, changed);
        Assert.Contains($"{runJson}: audioset is {copy}, but the run was started with {audioset}; " +
                        "use a new run directory or the original inputs", changedErr);

        // The clean run resumed as a dirty one (no --clean-against): refused, naming the ESC-50 folder.
        var (dirty, _, dirtyErr) = CliTestHost.Run(["pretrain", "--audioset", audioset, "--out", outFile, .. Tiny]);
        Assert.Equal(5, dirty);
        Assert.Contains($"the run was started with esc50 {esc}, but none is given now", dirtyErr);
    }

    [Fact]
    public void JsonToStandardOutputLeavesItJsonLinesAlone()
    {
        using var tmp = Fixtures.TempDir();
        string audioset = PretrainFixtures.WriteAudioSet(tmp.Path);
        var (code, stdout, stderr) = CliTestHost.Run(["pretrain", "--audioset", audioset, "--out", tmp.File("dirty.pth"), "--json", "-", .. Tiny]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("epoch", lines[0].GetProperty("event").GetString());
        Assert.Equal("summary", lines[^1].GetProperty("event").GetString());
        Assert.Contains("CNN14 pre-training", stderr);
        Assert.Contains("use it as train --cnn14", stderr);
    }

    [Fact]
    public void BadSettingIsAUsageErrorNamingTheKey()
    {
        var (code, _, stderr) = CliTestHost.Run("pretrain", "--audioset", "nowhere", "--out", "x.pth", "--set", "mel_bins=8");
        Assert.Equal(2, code);
        Assert.Contains("mel_bins", stderr);
    }
}
