using System.CommandLine;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>Options shared by several commands, declared once.</summary>
public static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces and extra detail on errors.",
        Recursive = true,
    };

    public static Option<string?> Json() => new("--json")
    {
        Description = "Also write the results as JSON to this file ('-' for standard output).",
    };

    public static Option<int> Seed(int defaultValue = 0) => new("--seed")
    {
        Description = "Seed for every random choice.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "Where models run: cpu or cuda (cuda needs TorchSharp's CUDA package).",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "Threads for tensor work (0: all cores).",
        DefaultValueFactory = _ => 0,
    };
}
