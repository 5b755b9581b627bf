using System.Runtime.InteropServices;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>
/// Recognises a failure to load TorchSharp's native layer and says why in one line. TorchSharp itself reports
/// only "The type initializer for 'TorchSharp.torch' threw an exception" with a page of probing trace; the
/// loader's own reason (a missing symbol version, a missing file) comes from loading the library directly.
/// </summary>
public static class NativeRuntime
{
    /// <summary>True when <paramref name="error"/> or any exception inside it is TorchSharp's failed initialisation.</summary>
    public static bool IsLoadFailure(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
            if (e is TypeInitializationException { TypeName: "TorchSharp.torch" }) return true;
        return false;
    }

    /// <summary>The one line the CLI prints when the native layer cannot be loaded.</summary>
    public static string Describe() =>
        $"TorchSharp's native layer could not be loaded: {LoaderReason()}. " +
        "Run the program through ./clapaudit, which sets it up (docs/architecture.md, \"Set-up scripts\").";

    private static string LoaderReason()
    {
        string file = OperatingSystem.IsWindows() ? "LibTorchSharp.dll"
            : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file);
        if (!File.Exists(path)) return $"{path} does not exist";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return $"{path} loads, but TorchSharp's initialisation failed (run with --verbose for its trace)";
        }
        catch (DllNotFoundException e)
        {
            // .NET's message carries the dynamic loader's own text (dlerror), e.g. "version `GLIBCXX_3.4.32' not found".
            return e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        }
    }
}
