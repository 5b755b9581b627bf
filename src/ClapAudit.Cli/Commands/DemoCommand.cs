using System.CommandLine;
using ClapAudit.Cli.Infrastructure;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit demo</c>: the whole method on a synthetic sound world (issue: demo).</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Folder for the world, the runs and the report.", DefaultValueFactory = _ => "demo-out" };
        var quick = new Option<bool>("--quick") { Description = "A smaller world and shorter training (about 2 minutes)." };
        var command = new Command("demo", "Run the paper's method end to end on a synthetic sound world generated in code (CPU, minutes).")
        {
            outDir, quick,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            ctx.Output.WriteLine("clapaudit demo: not built yet. It will generate a synthetic sound world (ESC-50-, Clotho- and AudioSet-style folders),");
            ctx.Output.WriteLine("pre-train tiny audio backbones (dirty, clean, none), train CLAP on dirty and clean captions (six setups),");
            ctx.Output.WriteLine($"and write the report (Tables 1-3, Figures 2-4) to {parse.GetValue(outDir)}/report.html.");
            ctx.Output.WriteLine("Until then, 'clapaudit analyze BUNDLE...' audits embeddings exported from any model.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
