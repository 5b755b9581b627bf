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

    /// <summary>
    /// Where a command's tables and messages go: standard error when <c>--json -</c> claims standard output
    /// (which then holds the JSON alone, for a pipe), else standard output.
    /// </summary>
    public static TextWriter TextOutput(string? jsonPath, CommandContext ctx) => jsonPath == "-" ? ctx.Error : ctx.Output;

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
