using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ClapAudit.Tests.Clap;
using ClapAudit.Training;
using Xunit.Abstractions;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// Ctrl+C as a user sends it: SIGINT to a child <c>clapaudit train</c> in the middle of an epoch. The child
/// must take the cancel path (last.ckpt at the batch reached, the "cancelled" line, exit 130), and the run
/// resumed to the end must equal an uninterrupted one. The resumed and the uninterrupted runs are in-process,
/// beside the other test classes: it was this test that showed the backbones' dropout drawing from torch's
/// process-wide generator (TrainerRngIsolationTests).
/// </summary>
public class TrainInterruptTests(ITestOutputHelper output)
{
    private const int StepsPerEpoch = 6; // 12 pairs, batch 2

    private static string[] Train(string manifest, string run) =>
        new[] { "train", "--manifest", manifest, "--bert", ClapWorld.Bert, "--cnn14", ClapWorld.Cnn14Tiny,
                "--out", run }
            .Concat(ClapWorld.Overrides.SelectMany(o => new[] { "--set", o }))
            .Concat(["--set", "batch_size=2", "--set", "max_epochs=3", "--json"]).ToArray();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private const int SigInt = 2;

    [Fact]
    public void SigintMidEpochSavesTheBatchReachedAndTheResumedRunEqualsAnUninterruptedOne()
    {
        using var tmp = Fixtures.TempDir();
        string manifest = ClapWorld.Manifest(tmp.Path), whole = tmp.File("whole");

        // Up to three attempts, each in a fresh run directory. Once, in a fresh clone's full parallel suite, the child
        // ran to its end (exit 0) although SIGINT was sent mid-epoch 1; six reruns of that clone, foreground and
        // background, all took the cancel path. Until that case is explained (issue 20), a lost signal is retried and
        // every attempt is logged; a child that ignores SIGINT three times still fails the test.
        string cut = "";
        int code = -1;
        string stderr = "";
        for (int attempt = 1; attempt <= 3 && code != 130; attempt++)
        {
            cut = tmp.File($"cut{attempt}");
            (code, stderr) = RunChildAndInterrupt(Train(manifest, cut).Append("--verbose").ToArray(),
                line => line.StartsWith("epoch 1 step 1/", StringComparison.Ordinal));
            output.WriteLine($"attempt {attempt}: exit {code}");
        }
        output.WriteLine(stderr);
        Assert.Equal(130, code);
        Assert.Contains("clapaudit: cancelled; the run was saved to", stderr);
        var state = Checkpoint.ReadState(Path.Combine(cut, "checkpoints", "last.ckpt"));
        output.WriteLine($"cancelled at epoch {state.Epoch}, batch {state.BatchesDone}, step {state.GlobalStep}");
        // The checkpoint is at the batch reached (the child reports each step it finished), not at the previous
        // epoch's boundary. The test reads the child's lines a little behind it, so the cut lands a step or two
        // after the line that triggered it: mid-epoch 1 in practice, and anywhere before the end is correct.
        int stepsReported = stderr.Split('\n').Count(l => l.StartsWith("epoch ", StringComparison.Ordinal) && l.Contains(" step "));
        Assert.Equal(stepsReported, state.GlobalStep);
        Assert.InRange(state.GlobalStep, StepsPerEpoch + 1, 3 * StepsPerEpoch);
        Assert.Equal(state.GlobalStep, state.Epoch * StepsPerEpoch + state.BatchesDone);

        var (resumed, _, err) = CliTestHost.Run(Train(manifest, cut));
        Assert.True(resumed == 0, err);
        Assert.Contains($"resumed at epoch {state.Epoch}, batch {state.BatchesDone}", err);
        var (fresh, _, err2) = CliTestHost.Run(Train(manifest, whole));
        Assert.True(fresh == 0, err2);

        Assert.Equal(3 * StepsPerEpoch, Checkpoint.ReadState(Path.Combine(cut, "checkpoints", "last.ckpt")).GlobalStep);
        var a = File.ReadAllLines(Path.Combine(whole, "log.csv"));
        var b = File.ReadAllLines(Path.Combine(cut, "log.csv"));
        Assert.Equal(4, b.Length);
        for (int r = 1; r < a.Length; r++)
        {
            var x = a[r].Split(',');
            var y = b[r].Split(',');
            Assert.Equal(x[..2], y[..2]); // epoch, step
            for (int c = 2; c < 6; c++) // train_loss, val_loss, lr, logit_scale
            {
                double u = double.Parse(x[c], CultureInfo.InvariantCulture);
                double v = double.Parse(y[c], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(u - v) <= 1e-5 * Math.Max(1, Math.Abs(u)),
                    $"log.csv row {r} column {c}: {u} vs {v}");
            }
        }
    }

    /// <summary>Runs the CLI as a child; SIGINT once a stderr line matches; gives the exit code and stderr.</summary>
    private static (int Code, string Err) RunChildAndInterrupt(string[] args, Func<string, bool> interruptAt)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "ClapAudit.Cli.dll");
        // A process started in the background by a shell without job control inherits SIGINT ignored, and .NET
        // keeps an ignored signal ignored: the child would never see the Ctrl+C. env puts the default back.
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var err = new System.Text.StringBuilder();
        bool sent = false;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (err) err.AppendLine(e.Data);
            if (!sent && interruptAt(e.Data))
            {
                sent = true;
                kill(process.Id, SigInt);
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes\n" + err);
        }
        process.WaitForExit(); // drains the asynchronous stderr reader
        _ = stdout.Result;
        lock (err) return (process.ExitCode, err.ToString());
    }
}
