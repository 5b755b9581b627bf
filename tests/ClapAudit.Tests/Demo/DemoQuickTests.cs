using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace ClapAudit.Tests.Demo;

[CollectionDefinition(nameof(DemoCollection), DisableParallelization = true)]
public sealed class DemoCollection;

/// <summary>
/// The README's main command, as CI runs it: <c>demo --quick</c> end to end through the real code paths
/// (world on disk, text pre-training, six setups, report), as a child process, as a user runs it.
/// The first run must succeed: the rare libtorch aborts seen before (TorchSharp Scalars freed by the
/// finalizer mid-call) are fixed at their cause (docs/architecture.md, "TorchSharp Scalar lifetime").
/// A second run in the same folder must reuse every finished step and give the same report numbers.
/// </summary>
[Collection(nameof(DemoCollection))]
public class DemoQuickTests(ITestOutputHelper output)
{
    [Fact]
    public void QuickDemoWritesTheReportAndLeakageHelpsAboveChance()
    {
        using var dir = Fixtures.TempDir();
        var (code, stdout, stderr) = RunCli("demo", "--quick", "--out", dir.Path, "--threads", "2");
        output.WriteLine(stdout);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.True(File.Exists(Path.Combine(dir.Path, "report.html")));
        string html = File.ReadAllText(Path.Combine(dir.Path, "report.html"));
        foreach (var section in new[] { "id=\"table1\"", "id=\"table2\"", "id=\"table3\"", "id=\"correlations\"", "id=\"figure2\"", "id=\"figure3\"", "id=\"figure4\"" })
            Assert.Contains(section, html);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "report.json")));
        var setups = report.RootElement.GetProperty("setups").EnumerateArray()
            .ToDictionary(s => $"{s.GetProperty("training").GetString()}/{s.GetProperty("pretraining").GetString()}");
        Assert.Equal(6, setups.Count);
        int classes = report.RootElement.GetProperty("n_classes").GetInt32();
        double chance = 1.0 / classes;
        double dirtyDirty = Top1(setups["dirty/dirty"]);
        output.WriteLine($"dirty/dirty top-1 {dirtyDirty:0.000}, chance {chance:0.000}");
        // A clear margin: at least twice chance (measured 0.50 against 0.125 with seed 0).
        Assert.True(dirtyDirty >= 2 * chance, $"dirty/dirty top-1 {dirtyDirty} is not clearly above chance {chance}");
        Assert.Contains("Table 1: zero-shot top-1 accuracy", stdout);

        // The tiny BERT learned the world's synonyms from its text alone (the probe the paper's Figure 4(c) point
        // rests on): before pre-training a name's prompt is no nearer its synonym's than any other's; after, it is.
        using var pretrain = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "bert", "pretrain.json")));
        var probeBefore = pretrain.RootElement.GetProperty("result").GetProperty("initial_probe");
        var probeAfter = pretrain.RootElement.GetProperty("result").GetProperty("final_probe");
        double Get(JsonElement e, string key) => e.GetProperty(key).GetDouble();
        output.WriteLine($"synonym probe before {probeBefore}, after {probeAfter}");
        Assert.True(Math.Abs(Get(probeBefore, "centered_synonym_cosine") - Get(probeBefore, "centered_unrelated_cosine")) < 0.35);
        Assert.True(Get(probeAfter, "centered_synonym_cosine") > Get(probeAfter, "centered_unrelated_cosine") + 0.5, $"after: {probeAfter}");
        Assert.True(Get(probeAfter, "synonym_top1") >= 0.75, $"after: {probeAfter}");

        // Rerun: everything is reused (world, text backbone, all 24 grid steps), the numbers are the same.
        var (again, stdout2, stderr2) = RunCli("demo", "--quick", "--out", dir.Path, "--threads", "2");
        Assert.True(again == 0, $"rerun exit {again}: {stderr2}");
        Assert.Contains("reused", stdout2);
        Assert.Contains("text backbone: reused", stdout2);
        Assert.DoesNotContain("started", stdout2);
        using var report2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "report.json")));
        var top1Again = report2.RootElement.GetProperty("setups").EnumerateArray().Select(Top1);
        Assert.Equal(setups.Values.Select(Top1), top1Again);

        // Another seed in the same folder is refused (exit 2) instead of mixing results.
        var (other, _, stderr3) = RunCli("demo", "--quick", "--out", dir.Path, "--seed", "5");
        Assert.Equal(2, other);
        Assert.Contains("other settings or another seed", stderr3);
    }

    /// <summary>A setup's zero-shot top-1 in report.json (version 2: inside its audit).</summary>
    private static double Top1(JsonElement setup) => setup.GetProperty("audit").GetProperty("zero_shot").GetProperty("top1").GetDouble();

    private static (int Code, string Out, string Err) RunCli(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "ClapAudit.Cli.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(12))) { process.Kill(entireProcessTree: true); return (-1, stdout.Result, "timed out after 12 minutes"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
