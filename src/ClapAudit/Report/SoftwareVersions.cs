using System.Reflection;
using System.Runtime.InteropServices;

namespace ClapAudit.Report;

/// <summary>The versions a report records: ClapAudit, .NET, the libraries that compute and draw, the OS.</summary>
public static class SoftwareVersions
{
    public static IReadOnlyDictionary<string, string> Collect() => new Dictionary<string, string>
    {
        ["ClapAudit"] = Of(typeof(SoftwareVersions).Assembly),
        [".NET"] = RuntimeInformation.FrameworkDescription,
        // Reading assembly metadata does not load libtorch's native code.
        ["TorchSharp"] = Of(typeof(TorchSharp.torch).Assembly),
        ["ScottPlot"] = Of(typeof(ScottPlot.Plot).Assembly),
        ["OS"] = $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
    };

    private static string Of(Assembly a)
    {
        string? v = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(v)) v = a.GetName().Version?.ToString() ?? "unknown";
        int plus = v.IndexOf('+');
        // Keep a short commit hash after '+' (SourceLink appends the full one).
        return plus >= 0 && v.Length > plus + 13 ? v[..(plus + 13)] : v;
    }
}
