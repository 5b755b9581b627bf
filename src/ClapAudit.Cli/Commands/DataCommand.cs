using System.CommandLine;
using System.Text.Json.Nodes;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Data;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit data ...</c>: dataset preparation (the pair manifests and the clean AudioSet clip list).</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Read the published datasets, build the train/val pair manifests, remove ESC-50 class words (\"clean\").");
        command.Subcommands.Add(Prepare());
        command.Subcommands.Add(AudioSetClean());
        command.Subcommands.Add(DataOverlapCommand.Create());
        return command;
    }

    private static Command Prepare()
    {
        var clotho = new Option<string?>("--clotho") { Description = "Clotho v2.1 folder (clotho_captions_*.csv, development/, validation/, evaluation/)." };
        var audiocaps = new Option<string?>("--audiocaps") { Description = "AudioCaps folder (train.csv, val.csv, test.csv and the audio)." };
        var fsd50k = new Option<string?>("--fsd50k") { Description = "FSD50K folder (FSD50K.ground_truth/, FSD50K.dev_audio/, FSD50K.eval_audio/)." };
        var macs = new Option<string?>("--macs") { Description = "MACS folder (MACS.yaml; audio/ beside it unless --macs-audio)." };
        var outDir = new Option<string>("--out") { Description = "Manifest folder: train.jsonl, val.jsonl, summary.json, leakage.json, problems.txt.", Required = true };
        var cleanAgainst = new Option<string?>("--clean-against") { Description = "ESC-50 folder (meta/esc50.csv): remove every audio file whose captions contain an ESC-50 class word." };
        var seed = CommonOptions.Seed();
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of pairs for validation (the paper: 0.2).", DefaultValueFactory = _ => 0.2 };
        var splitBy = new Option<string>("--split-by") { Description = "pair: random pairs (the paper; one audio may be on both sides); audio: whole audio files.", DefaultValueFactory = _ => "pair" };
        splitBy.AcceptOnlyFromAmong("pair", "audio");
        var splits = new Option<string[]>("--splits")
        {
            Description = "Restrict published splits, per dataset: clotho:development,validation audiocaps:train fsd50k:train,val,eval (default: all).",
            AllowMultipleArgumentsPerToken = true,
        };
        var match = new Option<string>("--match") { Description = "exact: same word (the paper's literal rule); stem: same Snowball stem (dogs, barking).", DefaultValueFactory = _ => "exact" };
        match.AcceptOnlyFromAmong("exact", "stem");
        var words = new Option<string?>("--words") { Description = "A custom word list (one or more words a line, # comments) instead of the ESC-50 class words." };
        var stopwords = new Option<string?>("--stopwords") { Description = "Words to exempt from the filter (same format), e.g. 'can'." };
        var acPattern = new Option<string>("--audiocaps-pattern") { Description = "AudioCaps audio path under its folder; {youtube_id} {start_time} {audiocap_id} {split}.", DefaultValueFactory = _ => AudioCapsOptions.DefaultPattern };
        var macsAudio = new Option<string?>("--macs-audio") { Description = "Folder of the TAU Urban Acoustic Scenes 2019 WAVs (default: audio/ beside MACS.yaml)." };
        var fsdTemplate = new Option<string>("--fsd50k-template") { Description = "Caption made from FSD50K labels; {labels} becomes 'a, b and c'.", DefaultValueFactory = _ => Fsd50kOptions.DefaultTemplate };
        var noAudioCheck = new Option<bool>("--no-audio-check") { Description = "Do not check that audio files exist (they are then checked when training)." };
        var exclude = new Option<string?>("--exclude")
        {
            HelpName = "FILE",
            Description = "Remove the training items an exclusion list names: data overlap's exclude.json or a WavCaps blacklist ({\"FreeSound\": [ids], \"AudioSet\": [ids]}).",
        };
        var json = CommonOptions.Json();

        var command = new Command("prepare", "Build train.jsonl and val.jsonl from any of Clotho, AudioCaps, FSD50K and MACS (one pair per caption, seeded 80/20 split), optionally cleaned of ESC-50 class words.")
        {
            clotho, audiocaps, fsd50k, macs, outDir, cleanAgainst, seed, valFraction, splitBy, splits, match, words, stopwords,
            acPattern, macsAudio, fsdTemplate, noAudioCheck, exclude, json,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var perDataset = ParseSplits(parse.GetValue(splits) ?? []);
            string? wordsFile = parse.GetValue(words), stopFile = parse.GetValue(stopwords);
            var leakage = new LeakageFilterOptions(
                parse.GetValue(match) == "stem" ? WordMatch.Stem : WordMatch.Exact,
                stopFile is null ? null : LeakageFilterOptions.ReadWordFile(stopFile),
                wordsFile is null ? null : LeakageFilterOptions.ReadWordFile(wordsFile));
            var options = new ManifestBuildOptions(
                OutDir: parse.GetValue(outDir)!,
                ClothoDir: parse.GetValue(clotho),
                AudioCapsDir: parse.GetValue(audiocaps),
                Fsd50kDir: parse.GetValue(fsd50k),
                MacsDir: parse.GetValue(macs),
                Esc50Dir: parse.GetValue(cleanAgainst),
                Split: new SplitOptions(parse.GetValue(valFraction), parse.GetValue(seed), parse.GetValue(splitBy) == "audio" ? SplitBy.Audio : SplitBy.Pair),
                Leakage: leakage,
                Clotho: new ClothoOptions(perDataset.GetValueOrDefault(ClothoReader.Name)),
                AudioCaps: new AudioCapsOptions(parse.GetValue(acPattern)!, perDataset.GetValueOrDefault(AudioCapsReader.Name)),
                Fsd50k: new Fsd50kOptions(parse.GetValue(fsdTemplate)!, perDataset.GetValueOrDefault(Fsd50kReader.Name)),
                Macs: new MacsOptions(parse.GetValue(macsAudio)),
                CheckAudio: !parse.GetValue(noAudioCheck),
                ExcludeFile: parse.GetValue(exclude));
            var result = ManifestBuilder.Build(options, new LineProgress(ctx.Error), token);

            string? jsonPath = parse.GetValue(json);
            var text = CommonOptions.TextOutput(jsonPath, ctx);
            var console = Consoles.Create(text);
            RenderSummary(console, result);
            if (result.Excluded is { } ex)
                ctx.Output.WriteLine($"Excluded by {ex.File}: {ex.Removed.Pairs} pairs, {ex.Removed.Audio} audio files ({ex.Listed} ids listed"
                    + (ex.IgnoredKeys.Count > 0 ? $"; sources not read here: {string.Join(", ", ex.IgnoredKeys)}" : "") + ").");
            if (result.Leakage is { } report) RenderLeakage(console, report);
            if (result.Problems.Count > 0)
            {
                text.WriteLine($"{result.Problems.Count} problems (all in {Path.Combine(options.OutDir!, ManifestBuilder.ProblemsFile)}); the first ones:");
                foreach (var p in result.Problems.Take(10)) text.WriteLine("  " + p);
            }
            text.WriteLine($"Wrote {result.Train.Count} train and {result.Val.Count} val pairs to {options.OutDir}.");
            if (jsonPath is not null)
            {
                var doc = new JsonObject { ["summary"] = result.Summary.ToJson(), ["leakage"] = result.Leakage?.ToJson() };
                WriteJson(jsonPath, doc, ctx);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AudioSetClean()
    {
        var audioset = new Option<string>("--audioset") { Description = "AudioSet-style folder: class_labels_indices.csv, *_segments.csv, audio.", Required = true };
        var cleanAgainst = new Option<string>("--clean-against") { Description = "ESC-50 folder whose class words (and mapped AudioSet classes) are removed.", Required = true };
        var pattern = new Option<string>("--pattern") { Description = "Audio path under the AudioSet folder; {ytid} {start} {end} {segments}.", DefaultValueFactory = _ => AudioSetOptions.DefaultPattern };
        var match = new Option<string>("--match") { Description = "exact or stem (as for data prepare).", DefaultValueFactory = _ => "exact" };
        match.AcceptOnlyFromAmong("exact", "stem");
        var stopwords = new Option<string?>("--stopwords") { Description = "Words to exempt from the filter." };
        var map = new Option<string?>("--map") { Description = "A mapping table ESC-50 category -> AudioSet display name (TSV) instead of the committed one." };
        var outFile = new Option<string>("--out") { Description = "Where to write the report with the kept clips (JSON).", Required = true };
        var command = new Command("audioset-clean", "List the AudioSet-style clips left after removing ESC-50 classes (the clean pre-training set) and what was removed.")
        {
            audioset, cleanAgainst, pattern, match, stopwords, map, outFile,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var data = AudioSetReader.Read(parse.GetValue(audioset)!, new AudioSetOptions(parse.GetValue(pattern)!));
            var esc50 = Esc50Reader.Read(parse.GetValue(cleanAgainst)!, new Esc50Options(CheckAudio: false));
            string? stopFile = parse.GetValue(stopwords);
            var filter = LeakageFilter.FromEsc50(esc50, new LeakageFilterOptions(
                parse.GetValue(match) == "stem" ? WordMatch.Stem : WordMatch.Exact,
                stopFile is null ? null : LeakageFilterOptions.ReadWordFile(stopFile)));
            var mapPath = parse.GetValue(map);
            var result = filter.FilterAudioSet(data, mapPath is null ? null : Esc50AudioSetMap.Load(mapPath));
            var doc = result.ToJson();
            doc["problems"] = new JsonArray(data.Problems.Select(p => (JsonNode?)JsonValue.Create(p.ToString())).ToArray());
            doc["kept"] = new JsonArray(result.Kept.Select(c => (JsonNode?)new JsonObject
            {
                ["ytid"] = c.YtId,
                ["start"] = c.Start,
                ["end"] = c.End,
                ["audio"] = c.AudioPath,
                ["mids"] = new JsonArray(c.Mids.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            }).ToArray());
            string outPath = parse.GetValue(outFile)!;
            WriteJson(outPath, doc, ctx);

            var text = CommonOptions.TextOutput(outPath, ctx);
            var console = Consoles.Create(text);
            var table = new Table().Title("AudioSet labels removed").AddColumns("mid", "display name", "words", "mapped from", "clips");
            foreach (var l in result.RemovedLabels.Where(l => l.Clips > 0))
                table.AddRow(Markup.Escape(l.Mid), Markup.Escape(l.DisplayName), Markup.Escape(string.Join(" ", l.Words)),
                    Markup.Escape(string.Join(" ", l.MappedFrom)), l.Clips.ToString());
            console.Write(table);
            text.WriteLine($"Clips: {result.Before} read, {result.Removed.Count} removed, {result.Kept.Count} kept " +
                                 $"({data.MissingAudio} with missing audio left out; {data.Problems.Count} problems, {result.MapProblems.Count} mapping names not in this ontology).");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>"clotho:development,validation" tokens to a split list per dataset.</summary>
    internal static Dictionary<string, IReadOnlyList<string>> ParseSplits(IEnumerable<string> tokens)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        string[] datasets = [ClothoReader.Name, AudioCapsReader.Name, Fsd50kReader.Name];
        foreach (var token in tokens)
        {
            int colon = token.IndexOf(':');
            Guard.Setting(colon > 0, $"--splits '{token}': expected DATASET:SPLIT[,SPLIT...], e.g. clotho:development,validation");
            string dataset = token[..colon].Trim().ToLowerInvariant();
            Guard.Setting(datasets.Contains(dataset), $"--splits '{token}': dataset must be one of {string.Join(", ", datasets)} (MACS has no splits)");
            var list = token[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Guard.Setting(list.Length > 0, $"--splits '{token}': no split named");
            result[dataset] = result.TryGetValue(dataset, out var prev) ? prev.Concat(list).Distinct().ToArray() : list;
        }
        return result;
    }

    private static void RenderSummary(IAnsiConsole console, ManifestBuildResult result)
    {
        var s = result.Summary;
        var table = new Table().Title($"Pair manifest (seed {s.Seed}, split by {s.SplitBy.ToString().ToLowerInvariant()}, {s.ValFraction:P0} val)")
            .AddColumns("dataset", "pairs", "audio", "missing audio (pairs)", "removed by filter (pairs/audio)", "problems");
        foreach (var (name, d) in s.Datasets)
            table.AddRow(name, d.Pairs.ToString(), d.Audio.ToString(), d.MissingAudio.ToString(),
                s.Clean ? $"{d.RemovedByFilter.Pairs}/{d.RemovedByFilter.Audio}" : "-", d.Problems.ToString());
        table.AddRow("[bold]train / val[/]", $"{s.TrainPairs} / {s.ValPairs}", "", "", "", "");
        console.Write(table);
        if (s.SplitBy == SplitBy.Pair)
            console.WriteLine($"{s.StraddlingAudio} audio files have captions on both sides of the split (the paper's pair split allows it; --split-by audio avoids it).");
    }

    private static void RenderLeakage(IAnsiConsole console, LeakageReport r)
    {
        var datasets = r.ByDataset.Keys.ToArray();
        var table = new Table().Title($"Leakage filter ({r.Match.ToString().ToLowerInvariant()} match, {r.Words.Count} words): pairs/audio removed per word")
            .AddColumn("word").AddColumn("captions");
        foreach (var d in datasets) table.AddColumn(d);
        table.AddColumn("total");
        foreach (var w in r.Words.Where(w => r.ByWord[w].Audio > 0).OrderByDescending(w => r.ByWord[w].Pairs).ThenBy(w => w, StringComparer.Ordinal))
        {
            var row = new List<string> { Markup.Escape(w), r.ByWord[w].Captions.ToString() };
            foreach (var d in datasets) { var c = r.ByWord[w].ByDataset[d]; row.Add($"{c.Pairs}/{c.Audio}"); }
            row.Add($"{r.ByWord[w].Pairs}/{r.ByWord[w].Audio}");
            table.AddRow(row.ToArray());
        }
        console.Write(table);
        console.WriteLine($"Before: {r.Before.Pairs} pairs, {r.Before.Audio} audio. Removed: {r.Removed.Pairs} pairs, {r.Removed.Audio} audio. After: {r.After.Pairs} pairs, {r.After.Audio} audio.");
        console.WriteLine($"Words with no match: {string.Join(", ", r.Words.Where(w => r.ByWord[w].Audio == 0))}");
        if (r.TopRemovedCaptions.Count > 0)
        {
            var top = new Table().Title("Most common removed captions").AddColumns("count", "caption");
            foreach (var c in r.TopRemovedCaptions) top.AddRow(c.Count.ToString(), Markup.Escape(c.Caption));
            console.Write(top);
        }
    }

    internal static void WriteJson(string path, JsonNode doc, CommandContext ctx)
    {
        string text = doc.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        if (path == "-") ctx.Output.WriteLine(text);
        else AtomicFile.WriteAllText(path, text + "\n");
    }

    /// <summary>Prints each progress line as it comes (Progress&lt;T&gt; would post them out of order).</summary>
    internal sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
