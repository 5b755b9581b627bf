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
    public void Pretrain_clean_writes_a_loadable_checkpoint_json_lines_and_a_rerun_resumes()
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
    public void Json_to_standard_output_leaves_it_json_lines_alone()
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
    public void Bad_setting_is_a_usage_error_naming_the_key()
    {
        var (code, _, stderr) = CliTestHost.Run("pretrain", "--audioset", "nowhere", "--out", "x.pth", "--set", "mel_bins=8");
        Assert.Equal(2, code);
        Assert.Contains("mel_bins", stderr);
    }
}
