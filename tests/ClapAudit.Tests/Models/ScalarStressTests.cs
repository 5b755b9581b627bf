using System.Diagnostics;
using Xunit.Abstractions;

namespace ClapAudit.Tests.Models;

/// <summary>
/// The TorchSharp Scalar finalizer race under load, in a child process (tools/scalar_stress) because a lost
/// race aborts the process: two threads run tensor ops and Adam steps while a third forces GCs and finalizers.
/// With TorchSharp's implicit Scalars the run dies within seconds ("Unknown scalar type ... c10/core/Scalar.h",
/// measured 4 of 4 runs within 1.5 s of work); with SafeScalars and ScalarSafeAdam it survives.
/// </summary>
public class ScalarStressTests(ITestOutputHelper output)
{
    [Fact]
    public void HeldScalarsSurviveForcedFinalizationUnderLoad()
    {
        var (code, stdout, stderr) = Run("safe", seconds: 5);
        output.WriteLine(stdout);
        Assert.True(code == 0 && stdout.Contains(" ok"), $"exit {code}: {Tail(stderr)}");
    }

    [SkippableFact]
    public void ImplicitScalarsLoseTheRaceUnderTheSameLoad()
    {
        // The positive control: the same load does catch the bug the rule prevents (it stops at the first fault).
        // The race is timing-dependent (about 2 s to the first abort on the 2-core reference machine), so it gets up
        // to three 20-s attempts; a machine on which none of them aborts cannot show the bug, and the control says
        // so as a skip with the numbers instead of failing (or passing) on luck.
        var attempts = new List<string>();
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            var (code, stdout, stderr) = Run("implicit", seconds: 20);
            output.WriteLine($"attempt {attempt}: exit {code}: {Tail(stderr)}");
            if (code != 0)
            {
                Assert.Contains("c10", stderr);
                return;
            }
            attempts.Add(stdout.Trim());
        }
        Skip.If(true, $"inconclusive on this machine: the implicit-Scalar run survived 3 x 20 s under forced finalization ({string.Join("; ", attempts)})");
    }

    private static (int Code, string Out, string Err) Run(string mode, double seconds)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "ScalarStress.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { tool, mode, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "2" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(seconds + 60))) { process.Kill(entireProcessTree: true); return (-1, stdout.Result, "timed out"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Tail(string s) => s.Length > 600 ? s[..600] : s;
}
