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

    [Fact]
    public void ImplicitScalarsLoseTheRaceUnderTheSameLoad()
    {
        // The positive control: the same load does catch the bug the rule prevents (it stops at the first fault).
        var (code, stdout, stderr) = Run("implicit", seconds: 40);
        output.WriteLine($"exit {code}: {Tail(stderr)}");
        Assert.True(code != 0, $"the implicit-Scalar run survived 40 s under forced finalization: {stdout}");
        Assert.Contains("c10", stderr);
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
