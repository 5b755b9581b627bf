using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// The set-up's promise (docs/architecture.md, "Set-up scripts"): TorchSharp runs under Debian 12's own
/// libstdc++, which lacks GLIBCXX_3.4.32, through the project-local patched native copy; and where the native
/// layer cannot load, the CLI says why in one line and exits 7. ./test unpacks bookworm's libstdc++6 .deb into
/// .cache/bookworm-libstdcxx/ and puts it first on LD_LIBRARY_PATH here, so the path is proven even on a
/// machine whose own libstdc++ is newer. Skipped only off Linux x64, or outside CI where apt cannot fetch it.
/// </summary>
public class NativeSetupTests(ITestOutputHelper output)
{
    private static readonly string BookwormLibDir =
        Path.Combine(Fixtures.Root, ".cache", "bookworm-libstdcxx", "usr", "lib", "x86_64-linux-gnu");

    [SkippableFact]
    public void CliRunsTorchSharpUnderDebian12sOwnLibstdcxx()
    {
        RequireBookwormLibstdcxx();
        string cli = Path.Combine(AppContext.BaseDirectory, "ClapAudit.Cli.dll");
        var (code, stdout, stderr) = RunCli(cli, "inspect", Fixtures.Path("models", "cnn14-tiny.pth"));
        Assert.True(code == 0, $"exit {code}: {stderr}");
        // inspect reads every tensor through TorchSharp, then fits the checkpoint to the CNN14 module.
        Assert.Contains("84 tensors, 320,043 values", stdout);
        Assert.Contains("fits: PANNs CNN14", stdout);
    }

    [SkippableFact]
    public void AnUnloadableNativeLayerIsOneLineWithTheLoadersReasonAndExit7()
    {
        RequireBookwormLibstdcxx();
        string original = OriginalNativeLibrary();
        using var app = Fixtures.TempDir();
        // The CLI's managed files, with the package's unpatched libLibTorchSharp.so beside links to libtorch.
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            if (file.EndsWith(".dll") || file.EndsWith(".json")) File.Copy(file, app.File(Path.GetFileName(file)));
        string native = Path.Combine(app.Path, "runtimes", "linux-x64", "native");
        Directory.CreateDirectory(native);
        foreach (var lib in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native")))
            File.CreateSymbolicLink(Path.Combine(native, Path.GetFileName(lib)), lib);
        File.Delete(Path.Combine(native, "libLibTorchSharp.so"));
        File.Delete(Path.Combine(native, "libclapaudit_glibcxx_shim.so"));
        File.Copy(original, Path.Combine(native, "libLibTorchSharp.so"));
        // TorchSharp's fallback copies the whole libtorch (1 GB) into <app>/cpu/ before giving up; a file there stops it.
        File.WriteAllText(app.File("cpu"), "");

        var (code, _, stderr) = RunCli(app.File("ClapAudit.Cli.dll"), "inspect", Fixtures.Path("models", "cnn14-tiny.pth"));
        Assert.Equal(7, code);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("clapaudit: TorchSharp's native layer could not be loaded:", line);
        Assert.Contains("GLIBCXX_3.4.32", line);
        Assert.Contains("./clapaudit", line);
    }

    private static void RequireBookwormLibstdcxx()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture
            == System.Runtime.InteropServices.Architecture.X64, "Debian 12's libstdc++ is an x86-64 Linux library");
        string lib = Path.Combine(BookwormLibDir, "libstdc++.so.6");
        bool inCi = Environment.GetEnvironmentVariable("CI") == "true";
        if (!File.Exists(lib))
        {
            Assert.False(inCi, $"{lib} is missing: ./test unpacks it from Debian 12's libstdc++6 .deb (apt-get download)");
            Skip.If(true, $"{lib} is missing (./test unpacks it where apt knows Debian 12's libstdc++6)");
        }
        // The library under test really is one without GCC 13's symbol version, else the test proves nothing.
        string text = Encoding.Latin1.GetString(File.ReadAllBytes(lib));
        Assert.Contains("GLIBCXX_3.4.30", text);
        Assert.DoesNotContain("GLIBCXX_3.4.32", text);
    }

    private static string OriginalNativeLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        string path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"the package's own {path} is not in the NuGet cache");
        return path;
    }

    private (int Code, string Out, string Err) RunCli(string cliDll, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cliDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        string? inherited = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        info.Environment["LD_LIBRARY_PATH"] = string.IsNullOrEmpty(inherited) ? BookwormLibDir : $"{BookwormLibDir}:{inherited}";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(entireProcessTree: true); return (-1, "", "timed out"); }
        output.WriteLine(stderr.Result);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>The set-up's --yes is taken wherever it stands (scripts/setup.sh, clapaudit_split_yes).</summary>
public class SetupArgumentTests
{
    [Theory]
    [InlineData("--yes demo --quick", "demo|--quick", "--yes")]
    [InlineData("demo --yes --quick", "demo|--quick", "--yes")]
    [InlineData("demo --quick --yes", "demo|--quick", "--yes")]
    [InlineData("demo --quick", "demo|--quick", "")]
    [InlineData("analyze -- --yes", "analyze|--|--yes", "")]
    public void YesIsTheSetupsWhereverItStandsBeforeALoneDoubleDash(string line, string command, string setup)
    {
        string script = $"source '{Path.Combine(Fixtures.Root, "scripts", "setup.sh")}'; clapaudit_split_yes {line}; " +
                        "(IFS='|'; echo \"${CLAPAUDIT_ARGS[*]}\"); echo \"${CLAPAUDIT_SETUP_ARGS[*]}\"";
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        string[] lines = process.StandardOutput.ReadToEnd().Split('\n');
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(command, lines[0]);
        Assert.Equal(setup, lines[1]);
    }
}
