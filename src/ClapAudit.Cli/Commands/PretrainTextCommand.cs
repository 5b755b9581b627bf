using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Training;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary>
/// <c>clapaudit pretrain-text --corpus FILE --out FOLDER</c>: gives a tiny BERT a structure from a
/// text corpus (masked-language modelling + a [CLS] contrastive objective) and writes a Hugging Face folder.
/// </summary>
public static class PretrainTextCommand
{
    public static Command Create()
    {
        var corpus = new Option<string>("--corpus") { Description = "The corpus, one sentence a line (a synthetic world's text/corpus.txt).", Required = true };
        var output = new Option<string>("--out") { Description = "The Hugging Face folder to write (config.json, vocab.txt, tokenizer_config.json, model.safetensors, pretrain.json).", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "A vocab.txt to use; default: one token per lower-cased word of the corpus." };
        var config = new Option<string?>("--config") { Description = "Settings file (.yaml/.json, snake_case keys such as steps, batch_size, learning_rate)." };
        var set = new Option<string[]>("--set") { Description = "Override one setting, key=value (repeatable), e.g. --set steps=300.", AllowMultipleArgumentsPerToken = false };
        var quick = new Option<bool>("--quick") { Description = "Start from the demo's quick preset (fewer steps) instead of the default." };
        var world = new Option<string?>("--world") { Description = "A world.json listing classes' name and synonym, for the synonym probe; default: world.json two folders above the corpus, if present." };
        var json = CommonOptions.Json();
        var command = new Command("pretrain-text",
            "Pre-train a tiny BERT on a text corpus (masked-language modelling with BERT's 80/10/10 rule, plus [CLS] " +
            "context prediction: [CLS] predicts the words of another sentence with the same rarest word, context_weight " +
            $"{TextPretrainRecipe.Default.ContextWeight.ToString(CultureInfo.InvariantCulture)}; InfoNCE between two " +
            "masked views is off unless contrastive_weight > 0; docs/text-pretraining.md) and " +
            "write it as a Hugging Face BertForMaskedLM folder that the CLAP trainer loads.")
        {
            corpus, output, vocab, config, set, quick, world, json,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var recipe = parse.GetValue(config) is { } cfg ? TextPretrainRecipe.Load(cfg)
                : parse.GetValue(quick) ? TextPretrainRecipe.Quick : TextPretrainRecipe.Default;
            recipe = recipe.WithOverrides(parse.GetValue(set) ?? []);
            string corpusPath = parse.GetValue(corpus)!;
            Guard.FileExists(corpusPath, "text corpus");
            var pairs = ReadPairs(parse.GetValue(world), corpusPath);
            var job = new TextPretrainJob(corpusPath, parse.GetValue(output)!, recipe) { VocabPath = parse.GetValue(vocab), ProbePairs = pairs };

            string? jsonPath = parse.GetValue(json);
            var text = CommonOptions.TextOutput(jsonPath, ctx);
            var console = Console(text);
            TextPretrainResult result;
            if (text == System.Console.Out && !System.Console.IsOutputRedirected)
            {
                result = console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(p =>
                    {
                        var task = p.AddTask("pre-training", maxValue: recipe.Steps);
                        return TextPretraining.Run(job, new TaskProgress(task), token);
                    });
            }
            else
            {
                result = TextPretraining.Run(job, new LineProgress(ctx.Error, recipe.Steps), token);
            }
            if (result.Cancelled) throw new OperationCanceledException();
            RenderSummary(console, result);
            if (jsonPath is not null) WriteJson(jsonPath, result, recipe, ctx);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>name/synonym pairs from a synthetic world's world.json ("classes": [{"name", "synonym"}]); null when there is none.</summary>
    internal static IReadOnlyList<NamePair>? ReadPairs(string? worldJson, string corpusPath)
    {
        string? path = worldJson;
        if (path is null)
        {
            string? dir = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(corpusPath)));
            string candidate = dir is null ? "" : Path.Combine(dir, "world.json");
            if (!File.Exists(candidate)) return null;
            path = candidate;
        }
        Guard.FileExists(path, "world description (world.json)");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var pairs = new List<NamePair>();
            foreach (var c in doc.RootElement.GetProperty("classes").EnumerateArray())
                pairs.Add(new NamePair(c.GetProperty("name").GetString()!, c.GetProperty("synonym").GetString()!));
            return pairs;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: expected \"classes\": [{{\"name\": ..., \"synonym\": ...}}] ({e.Message})", e);
        }
    }

    private static void RenderSummary(IAnsiConsole console, TextPretrainResult r)
    {
        var t = new Table().AddColumn("").AddColumn("value");
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        t.AddRow("sentences / vocabulary", $"{r.Sentences} / {r.VocabSize}");
        t.AddRow("parameters", r.Parameters.ToString(CultureInfo.InvariantCulture));
        t.AddRow("steps", r.Steps.ToString(CultureInfo.InvariantCulture));
        t.AddRow("MLM loss (first -> last tenth)", $"{F(r.InitialMlmLoss)} -> {F(r.FinalMlmLoss)}");
        t.AddRow("[[CLS]] sentence loss", $"{F(r.InitialClsLoss)} -> {F(r.FinalClsLoss)}");
        if (r.FinalProbe is { } p)
        {
            var p0 = r.InitialProbe!;
            t.AddRow($"prompt cosine, synonym vs unrelated ({p.Classes} classes)", $"{F(p.SynonymCosine)} vs {F(p.UnrelatedCosine)} (before: {F(p0.SynonymCosine)} vs {F(p0.UnrelatedCosine)})");
            t.AddRow("centered cosine, synonym vs unrelated", $"{F(p.CenteredSynonymCosine)} vs {F(p.CenteredUnrelatedCosine)} (before: {F(p0.CenteredSynonymCosine)} vs {F(p0.CenteredUnrelatedCosine)})");
            t.AddRow("synonym nearest (top-1)", $"{F(p.SynonymTop1)} (before: {F(p0.SynonymTop1)}, chance {F(1.0 / p.Classes)})");
        }
        t.AddRow("time", $"{r.Elapsed.TotalSeconds:0.0} s");
        console.Write(t);
        console.WriteLine($"wrote {r.OutFolder}");
    }

    private static void WriteJson(string path, TextPretrainResult r, TextPretrainRecipe recipe, CommandContext ctx)
    {
        var opts = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals
        };
        var doc = new JsonObject { ["recipe"] = JsonNode.Parse(recipe.ToJson()), ["result"] = JsonSerializer.SerializeToNode(r, opts) };
        string text = doc.ToJsonString(opts);
        if (path == "-") ctx.Output.WriteLine(text);
        else AtomicFile.WriteAllText(path, text + "\n");
    }

    private static IAnsiConsole Console(TextWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = output == System.Console.Out ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.Detect,
    });

    private sealed class TaskProgress(ProgressTask task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            task.Value = p.Step;
            task.Description = Markup.Escape($"step {p.Step}/{p.StepsInEpoch}  {p.Message}");
        }
    }

    /// <summary>Without a terminal: one line every tenth of the steps, on standard error.</summary>
    private sealed class LineProgress(TextWriter writer, int steps) : IProgress<TrainingProgress>
    {
        private readonly int _every = Math.Max(1, steps / 10);

        public void Report(TrainingProgress p)
        {
            if (p.Step % _every == 0 || p.Step == p.StepsInEpoch)
                writer.WriteLine($"step {p.Step}/{p.StepsInEpoch}: {p.Message}, lr {p.LearningRate:0.####}, eta {p.Eta:mm\\:ss}");
        }
    }
}
