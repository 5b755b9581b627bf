using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Experiments;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit grid</c>: the paper's six setups end to end; <c>grid status</c>: where a grid stands.</summary>
public static class GridCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Grid config (YAML): data folders, BERT folder, CNN14 checkpoints, setups, recipe overrides. See docs/cli.md.", Required = true };
        var outDir = new Option<string>("--out") { Description = "Grid folder: every step writes its own sub-folder; rerunning skips completed steps.", Required = true };
        var keepGoing = new Option<bool>("--keep-going") { Description = "After a failed step, go on with the steps that do not depend on it." };
        var noReport = new Option<bool>("--no-report") { Description = "Do not write report.html at the end." };
        var allowMissing = ModelOptions.AllowMissing();
        var command = new Command("grid", "Run the six setups (training dirty|clean x pre-training dirty|clean|none): prepare data, pre-train, train, zero-shot, embed, report.")
        {
            config, outDir, keepGoing, noReport, allowMissing,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var plan = new GridPlan(GridConfig.Load(parse.GetValue(config)!), parse.GetValue(outDir)!);
            bool allow = parse.GetValue(allowMissing);
            // As zeroshot and embed do, before the first step: missing test clips are refused (exit 3) or, with
            // --allow-missing, said once here and again by each step that reads them.
            GridSteps.ReadTestSet(plan.Config, allow, new SyncProgress<string>(m => ctx.Error.WriteLine(m)));
            var console = Consoles.Create(ctx.Output);
            var result = GridConsole.Run(console, Consoles.IsTerminal(ctx.Output),
                progress => GridRunner.Run(plan, new GridSteps { AllowMissing = allow }, progress, parse.GetValue(keepGoing), token));
            console.WriteLine($"grid: {result.Done} steps done, {result.Skipped} done earlier, {result.Failed} failed, {result.Blocked} not run.");
            foreach (var e in result.Errors) ctx.Error.WriteLine($"clapaudit: {e}");
            if (result.Succeeded && plan.Config.Report && !parse.GetValue(noReport))
            {
                string html = GridSteps.WriteReport(plan, new Progress<string>(m => console.WriteLine(m)), token);
                console.WriteLine($"report: {html}");
            }
            return result.Succeeded ? ExitCodes.Ok : ExitCodes.InvalidData;
        });
        command.Subcommands.Add(CreateStatus());
        return command;
    }

    private static Command CreateStatus()
    {
        var dir = new Argument<string>("GRID_DIR") { Description = "A grid folder made by 'clapaudit grid'." };
        var json = CommonOptions.Json();
        var command = new Command("status", "Show every step of a grid: done, running, interrupted, failed or pending, with its key figure.") { dir, json };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            string gridDir = parse.GetValue(dir)!;
            var plan = new GridPlan(GridRunner.LoadSavedConfig(gridDir), gridDir);
            var status = GridRunner.Status(plan);
            Render(Consoles.Create(ctx.Output), plan, status);
            if (parse.GetValue(json) is string jsonPath)
            {
                var steps = new JsonArray();
                foreach (var (step, marker) in status)
                    steps.Add(new JsonObject
                    {
                        ["step"] = step.Name,
                        ["folder"] = step.Folder.Replace('\\', '/'),
                        ["state"] = marker.State.ToString().ToLowerInvariant(),
                        ["summary"] = marker.Summary,
                        ["error"] = marker.Error,
                        ["seconds"] = marker.Duration?.TotalSeconds,
                    });
                string text = new JsonObject { ["grid"] = Path.GetFullPath(gridDir), ["steps"] = steps }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
                if (jsonPath == "-") ctx.Output.Write(text); else AtomicFile.WriteAllText(jsonPath, text);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Setups x steps, then the shared steps (data, pre-training, backbones).</summary>
    private static void Render(IAnsiConsole console, GridPlan plan, IReadOnlyList<(GridStep Step, StepMarker Marker)> status)
    {
        var byName = status.ToDictionary(s => s.Step.Name, s => s.Marker);
        var shared = new Table().Title("shared steps").AddColumns("step", "state", "key figure", "time");
        foreach (var (step, marker) in status.Where(s => s.Step.Setup is null))
            shared.AddRow(Markup.Escape(step.Name), State(marker), Markup.Escape(marker.Error ?? marker.Summary ?? ""), Time(marker));
        console.Write(shared);

        var setups = new Table().Title("setups (training/pre-training)").AddColumns("setup", "train", "zeroshot", "embed");
        foreach (var s in plan.Config.SelectedSetups())
        {
            string Cell(string kind)
            {
                var m = byName[$"{kind} {s}"];
                string figure = m.Error ?? m.Summary ?? "";
                return figure.Length > 0 ? $"{State(m)} {Markup.Escape(figure)}" : State(m);
            }
            setups.AddRow(s.ToString(), Cell("train"), Cell("zeroshot"), Cell("embed"));
        }
        console.Write(setups);
    }

    private static string State(StepMarker m) => m.State switch
    {
        StepState.Done => "[green]done[/]",
        StepState.Running => "[blue]running[/]",
        StepState.Interrupted => "[yellow]interrupted[/]",
        StepState.Failed => "[red]failed[/]",
        _ => "[grey]pending[/]",
    };

    private static string Time(StepMarker m) => m.Duration is TimeSpan d ? d.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "";
}
