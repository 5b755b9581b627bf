using System.CommandLine;
using System.Globalization;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Experiments;
using ClapAudit.Models;
using ClapAudit.Report;
using ClapAudit.Synthetic;
using ClapAudit.Training;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary>
/// <c>clapaudit demo</c>: the paper's whole method on a synthetic sound world, through the product's own
/// code paths: the world is written in ESC-50/Clotho/AudioSet layouts, a tiny BERT is pre-trained on the
/// world's text, then the six-setup grid (data, pre-training, CLAP training, zero-shot, embeddings) and the report.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Folder for the world, the runs and the report (rerunning reuses what is done).", DefaultValueFactory = _ => "demo-out" };
        var quick = new Option<bool>("--quick") { Description = "A smaller world and shorter training (about 2 minutes on 2 cores)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var set = new Option<string[]>("--set")
        {
            Description = "Override a size of the demo: section.key=value, section one of world, text, training, pretraining " +
                "(e.g. world.test_classes=12, training.max_epochs=10; keys as in docs/demo-world.md and docs/cli.md). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("demo", "Run the paper's method end to end on a synthetic sound world generated in code (CPU, minutes): " +
            "leakage in captions and in audio pre-training, six setups, zero-shot accuracy, silhouette, topology, t-SNE and the HTML report.")
        {
            outDir, quick, seed, threads, set,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var preset = (parse.GetValue(quick) ? DemoPreset.Quick : DemoPreset.Default).WithOverrides(parse.GetValue(set) ?? []);
            string root = Path.GetFullPath(parse.GetValue(outDir)!);
            int s = parse.GetValue(seed);
            int t = parse.GetValue(threads);
            DeviceSelector.SetThreads(t);
            var console = Consoles.Create(ctx.Output);
            bool live = Consoles.IsTerminal(ctx.Output);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            console.MarkupLine($"[bold]ClapAudit demo[/] ({preset.Name}, seed {s}) in {Markup.Escape(root)}");
            preset.Claim(root, s);

            // 1. The world, in the published layouts.
            var world = SyntheticWorld.Generate(preset.World with { Seed = s }, Path.Combine(root, "world"),
                new SyncProgress<string>(m => console.MarkupLine($"[grey]world: {Markup.Escape(m)}[/]")), token);
            console.MarkupLine($"world: {world.Classes.Count} sound classes ({world.TestClasses.Count} zero-shot test classes) " +
                $"{(world.Reused ? "reused" : "written")} in {Markup.Escape(world.Root)}");

            // 2. The text backbone: a tiny BERT pre-trained on the world's text alone.
            string bert = Path.Combine(root, "bert");
            TextBackbone(console, world, bert, preset.Text with { Seed = s, Threads = Math.Max(1, t == 0 ? 1 : t) }, token);

            // 3. The six setups.
            var config = new GridConfig
            {
                Title = $"ClapAudit demo: synthetic sound world ({preset.Name}, seed {s})",
                Esc50 = world.Esc50Dir,
                Bert = bert,
                Clotho = world.ClothoDir,
                AudioSet = world.AudioSetDir,
                Training = preset.Training.ToDictionary(),
                Pretraining = preset.Pretraining.ToDictionary(),
                RandomInitChannels = [.. preset.Cnn14Channels],
                Seed = s,
                Threads = t,
            }.Validated();
            var plan = new GridPlan(config, Path.Combine(root, "grid"));
            var result = GridConsole.Run(console, live, progress => GridRunner.Run(plan, new GridSteps(), progress, keepGoing: true, token));
            foreach (var e in result.Errors) ctx.Error.WriteLine($"clapaudit: {e}");

            // 4. The report, and its tables in the terminal.
            var outcome = ReportBuilder.BuildFromGrid(plan.GridDirectory, new ReportOptions
            {
                HtmlPath = Path.Combine(root, "report.html"),
                Seed = s,
            }, new SyncProgress<string>(m => console.MarkupLine($"[grey]report: {Markup.Escape(m)}[/]")), token);
            ReportCommand.Render(console, outcome);
            console.MarkupLine($"demo finished in {clock.Elapsed.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture)} min: open [bold]{Markup.Escape(outcome.HtmlPath)}[/] in a browser.");
            return result.Succeeded ? ExitCodes.Ok : ExitCodes.InvalidData;
        });
        return command;
    }

    /// <summary>Pre-trains the tiny BERT once (reused when its folder is complete) and shows the synonym probe.</summary>
    private static void TextBackbone(IAnsiConsole console, SyntheticWorldLayout world, string folder, TextPretrainRecipe recipe, CancellationToken token)
    {
        string done = Path.Combine(folder, "pretrain.json");
        if (File.Exists(done) && File.Exists(Path.Combine(folder, "model.safetensors")))
        {
            console.MarkupLine($"text backbone: reused {Markup.Escape(folder)}");
            return;
        }
        var job = new TextPretrainJob(world.CorpusPath, folder, recipe)
        {
            VocabPath = world.VocabPath,
            ProbePairs = world.Classes.Select(c => new NamePair(c.Name, c.Synonym)).ToList(),
        };
        var result = TextPretraining.Run(job, new SyncProgress<TrainingProgress>(p =>
        {
            if (p.Event == TrainingEvent.EpochEnd || (p.StepsInEpoch > 0 && p.Step % Math.Max(1, p.StepsInEpoch / 4) == 0 && p.Event == TrainingEvent.Step))
                console.MarkupLine($"[grey]text backbone: {Markup.Escape(GridConsole.Describe(p))}[/]");
        }), token);
        if (result.Cancelled) throw new OperationCanceledException(token);
        string probe = result.FinalProbe is { } f
            ? $"; prompt cosine name~synonym {f.SynonymCosine:0.000} vs unrelated {f.UnrelatedCosine:0.000} (centered {f.CenteredSynonymCosine:0.00} vs {f.CenteredUnrelatedCosine:0.00})"
            : "";
        console.MarkupLine($"text backbone: {result.Steps} steps, MLM loss {result.InitialMlmLoss:0.00} -> {result.FinalMlmLoss:0.00}{Markup.Escape(probe)}");
    }
}
