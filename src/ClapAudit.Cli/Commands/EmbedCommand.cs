using System.CommandLine;
using ClapAudit.Audio;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Evaluation;
using ClapAudit.Models;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit embed</c>: the ESC-50 embedding bundle that <c>analyze</c> audits (issue 6).</summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model(required: false);
        var bert = ModelOptions.Bert();
        var esc50 = ModelOptions.Esc50();
        esc50.Required = false; // --retrieval embeds a captioned test set instead
        var us8k = ModelOptions.UrbanSound8k();
        var labelled = ModelOptions.LabelledFolder();
        var retrieval = new Option<string?>("--retrieval")
        {
            HelpName = "clotho=DIR|audiocaps=DIR",
            Description = "Write a retrieval bundle of that dataset's test split instead (audio.npy per clip, text.npy per caption, caption_audio.npy, items.txt, captions.txt).",
        };
        var acPattern = new Option<string>("--audiocaps-pattern") { Description = "With --retrieval audiocaps=DIR: audio path under the folder.", DefaultValueFactory = _ => AudioCapsOptions.DefaultPattern };
        var output = new Option<string>("--out") { HelpName = "BUNDLE", Description = "Bundle folder to write.", Required = true };
        var folds = ModelOptions.Folds();
        var prompt = ModelOptions.Prompt();
        var backbonesOnly = new Option<bool>("--backbones-only") { Description = "Embed with the pre-trained backbones only (no projection; the paper's Figure 4): needs --cnn14 and --bert; the bundle holds audio_backbone.npy and text_backbone.npy." };
        var cnn14 = new Option<string?>("--cnn14") { HelpName = "FILE.pth|none", Description = "With --backbones-only: PANNs CNN14 weights, or 'none' for a randomly initialised full-size CNN14 (seed 0)." };
        var sampleRate = new Option<int>("--sample-rate") { Description = "With --backbones-only: audio sample rate (the paper's 44100; Cnn14_mAP=0.431 was trained at 32000).", DefaultValueFactory = _ => 44100 };
        var batchSize = ModelOptions.BatchSize();
        var melFilters = ModelOptions.MelFilters();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var allowMissing = ModelOptions.AllowMissing();
        var command = new Command("embed",
            "Write an embedding bundle for ESC-50: x_a and E_a per clip (rows in meta/esc50.csv order, offset 0), x_t and E_t per class prompt (target order), " +
            "labels.npy, classes.txt, items.txt. E_a and E_t are L2-normalised.")
        {
            model, bert, esc50, output, folds, prompt, backbonesOnly, cnn14, sampleRate, batchSize, melFilters, device, threads,
            allowMissing, retrieval, acPattern, us8k, labelled,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            DeviceSelector.SetThreads(parse.GetValue(threads));
            string outDir = parse.GetValue(output)!;
            var mel = TrainCommand.ParseMelFilters(parse.GetValue(melFilters)!);
            if (parse.GetValue(retrieval) is { } spec)
            {
                Guard.Setting(parse.GetValue(esc50) is null && parse.GetValue(us8k) is null && parse.GetValue(labelled) is null
                    && !parse.GetValue(backbonesOnly), "--retrieval takes --model, not a labelled test set or --backbones-only");
                var pairs = RetrievalExport.ReadPairs(spec, parse.GetValue(acPattern));
                string runPath = parse.GetValue(model) ?? throw new ClapAuditException(ErrorKind.InvalidSetting, "embed --retrieval needs --model RUN_DIR|CKPT");
                using var clap = ClapModelLoader.Load(runPath, parse.GetValue(bert), parse.GetValue(device)!, mel);
                foreach (var w in clap.Warnings) ctx.Error.WriteLine($"warning: {w}");
                CliProgress.Items<int>(ctx, "embed", pairs.Select(p => p.AudioPath).Distinct().Count(), p =>
                {
                    RetrievalExport.Export(clap, pairs, outDir, parse.GetValue(batchSize), p, token);
                    return 0;
                });
                ctx.Output.WriteLine($"wrote a retrieval bundle of {pairs.Count} captions to {outDir}");
                return ExitCodes.Ok;
            }
            var data = ModelOptions.ReadTestSet(parse.GetValue(esc50), parse.GetValue(us8k), parse.GetValue(labelled),
                parse.GetValue(folds), parse.GetValue(allowMissing), ctx.Error);
            if (parse.GetValue(backbonesOnly))
            {
                string cnn = parse.GetValue(cnn14) ?? throw new ClapAuditException(ErrorKind.InvalidSetting, "--backbones-only needs --cnn14 FILE.pth|none");
                string bertFolder = parse.GetValue(bert) ?? throw new ClapAuditException(ErrorKind.InvalidSetting, "--backbones-only needs --bert FOLDER");
                Guard.Setting(parse.GetValue(model) is null, "--backbones-only takes --cnn14 and --bert, not --model");
                var pre = new AudioPreprocessing { SampleRate = parse.GetValue(sampleRate) };
                CliProgress.Items<int>(ctx, "backbones", data.Items.Count, p =>
                {
                    EmbeddingExport.ExportBackbones(cnn.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : cnn, null, bertFolder, data, outDir,
                        pre, null, mel, parse.GetValue(prompt)!, parse.GetValue(batchSize), p, new SyncProgress<string>(w => ctx.Error.WriteLine($"warning: {w}")), 0, token);
                    return 0;
                });
                ctx.Output.WriteLine($"wrote backbone embeddings of {data.Items.Count} clips and {data.ClassNames.Count} prompts to {outDir}");
                return ExitCodes.Ok;
            }
            string modelPath = parse.GetValue(model) ?? throw new ClapAuditException(ErrorKind.InvalidSetting, "embed needs --model RUN_DIR|CKPT (or --backbones-only)");
            using var loaded = ClapModelLoader.Load(modelPath, parse.GetValue(bert), parse.GetValue(device)!, mel);
            foreach (var w in loaded.Warnings) ctx.Error.WriteLine($"warning: {w}");
            CliProgress.Items<int>(ctx, "embed", data.Items.Count, p =>
            {
                EmbeddingExport.Export(loaded, data, outDir, parse.GetValue(prompt)!, parse.GetValue(batchSize), p, token);
                return 0;
            });
            ctx.Output.WriteLine($"wrote embeddings of {data.Items.Count} clips and {data.ClassNames.Count} prompts to {outDir}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
