using System.CommandLine;
using ClapAudit.Audio.Fingerprints;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Data;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit data overlap</c>: test clips whose source recording is in the training data.</summary>
internal static class DataOverlapCommand
{
    public static Command Create()
    {
        var esc50 = new Option<string?>("--esc50") { Description = "ESC-50 folder (test set): Freesound ids from its file names." };
        var us8k = new Option<string?>("--urbansound8k") { Description = "UrbanSound8K folder (test set): metadata/UrbanSound8K.csv, fsID." };
        var clotho = new Option<string?>("--clotho") { Description = "Clotho v2.1 folder; sound_id from clotho_metadata_<split>.csv." };
        var fsd50k = new Option<string?>("--fsd50k") { Description = "FSD50K folder; the fname is the Freesound id." };
        var audiocaps = new Option<string?>("--audiocaps") { Description = "AudioCaps folder (YouTube ids)." };
        var macs = new Option<string?>("--macs") { Description = "MACS folder (no source ids: content only)." };
        var audioset = new Option<string?>("--audioset") { Description = "AudioSet-style folder (YouTube ids)." };
        var outDir = new Option<string>("--out") { Description = "Folder for overlap.json, exclude.json and the fingerprint cache.", Required = true };
        var content = new Option<bool>("--content") { Description = "Also compare the audio (landmark fingerprints): finds copies at any offset, gain, rate or 128 kb/s coding." };
        var cache = new Option<string?>("--cache") { HelpName = "DIR", Description = "Fingerprint cache (default OUT/fingerprints); reused across runs." };
        var threads = new Option<int>("--threads") { Description = "Files fingerprinted at once (0: all cores).", DefaultValueFactory = _ => 0 };
        var minMatches = new Option<int>("--min-matches") { Description = "Aligned landmarks a content match needs.", DefaultValueFactory = _ => new FingerprintOptions().MinMatches };
        var acPattern = new Option<string>("--audiocaps-pattern") { Description = "AudioCaps audio path under its folder; {youtube_id} {start_time} {audiocap_id} {split}.", DefaultValueFactory = _ => AudioCapsOptions.DefaultPattern };
        var asPattern = new Option<string>("--audioset-pattern") { Description = "AudioSet audio path under its folder; {ytid} {start} {end} {segments}.", DefaultValueFactory = _ => AudioSetOptions.DefaultPattern };
        var macsAudio = new Option<string?>("--macs-audio") { Description = "Folder of the TAU Urban Acoustic Scenes 2019 WAVs (default: audio/ beside MACS.yaml)." };
        var json = CommonOptions.Json();
        var command = new Command("overlap", "Find test clips (ESC-50, UrbanSound8K) whose recording is in the training data, by source id and (--content) by audio; writes overlap.json and exclude.json.")
        {
            esc50, us8k, clotho, fsd50k, audiocaps, macs, audioset, outDir, content, cache, threads, minMatches, acPattern, asPattern, macsAudio, json,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var options = new OverlapOptions(parse.GetValue(outDir)!,
                Esc50Dir: parse.GetValue(esc50), UrbanSound8kDir: parse.GetValue(us8k), ClothoDir: parse.GetValue(clotho),
                Fsd50kDir: parse.GetValue(fsd50k), AudioCapsDir: parse.GetValue(audiocaps), MacsDir: parse.GetValue(macs),
                AudioSetDir: parse.GetValue(audioset), Content: parse.GetValue(content), CacheDir: parse.GetValue(cache),
                Threads: parse.GetValue(threads), Fingerprint: new FingerprintOptions(MinMatches: parse.GetValue(minMatches)),
                AudioCaps: new AudioCapsOptions(parse.GetValue(acPattern)!), AudioSet: new AudioSetOptions(parse.GetValue(asPattern)!),
                Macs: new MacsOptions(parse.GetValue(macsAudio)));
            // The work is parallel over files (--threads workers) and each file's FFTs are small: libtorch's own
            // intra-op threads on top only spin (measured with --threads 1: 14.3 s of user CPU in 9.2 s of wall time).
            TorchSharp.torch.set_num_threads(1);
            var result = OverlapFinder.Find(options, new StageProgress(ctx.Error), token);
            Render(CliProgress.Console(ctx.Output), result);
            foreach (var p in result.Problems.Take(10)) ctx.Error.WriteLine("unreadable: " + p);
            ctx.Output.WriteLine($"Wrote {Path.Combine(options.OutDir!, OverlapResult.OverlapFile)} and {OverlapResult.ExcludeFile} " +
                                 $"({result.ToExclusionList().Count} training items to exclude: data prepare --exclude).");
            if (parse.GetValue(json) is { } jsonPath) DataCommand.WriteJson(jsonPath, result.ToJson(), ctx);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void Render(IAnsiConsole console, OverlapResult r)
    {
        var s = r.Summary;
        var tests = new Table().Title("Test sets").AddColumns("test set", "clips", "with source id", "clips found in training");
        foreach (var (name, t) in s.Tests) tests.AddRow(name, t.Clips.ToString(), t.WithSourceId.ToString(), t.MatchedClips.ToString());
        console.Write(tests);
        var train = new Table().Title("Training sets").AddColumns("dataset", "items", "source id", "matched by id", "checked by content", "matched by content", "unreadable", "note");
        foreach (var (name, t) in s.Training)
            train.AddRow(name, t.Items.ToString(), t.IdKind == SourceIdKind.None ? "none" : $"{t.IdKind.ToString().ToLowerInvariant()} ({t.ItemsWithId})",
                t.IdMatchedItems.ToString(), s.Content ? t.ContentChecked.ToString() : "-", s.Content ? t.ContentMatchedItems.ToString() : "-",
                t.Unreadable.ToString(), Markup.Escape(t.Note ?? ""));
        console.Write(train);
        if (r.Matches.Count > 0)
        {
            var matches = new Table().Title("Matches").AddColumns("test clip", "dataset", "item", "method", "offset (s)", "score");
            foreach (var m in r.Matches.Take(50))
                matches.AddRow(Markup.Escape(m.Test), m.Dataset, Markup.Escape(m.Item), m.Method.ToString().ToLowerInvariant(),
                    m.OffsetSeconds?.ToString("0.000") ?? "-", m.Score?.ToString("0.000") ?? "-");
            console.Write(matches);
            if (r.Matches.Count > 50) console.WriteLine($"... {r.Matches.Count - 50} more in overlap.json");
        }
        foreach (var n in s.Notes) console.WriteLine("Note: " + n);
        if (s.Content)
            console.WriteLine($"Fingerprinted {s.Fingerprinted} files ({s.FromCache} from the cache), {s.AudioSeconds / 3600:0.0} h of training audio in {s.FingerprintSeconds:0.0} s.");
    }

    /// <summary>One line per stage and per tenth of it on standard error.</summary>
    private sealed class StageProgress(TextWriter writer) : IProgress<OverlapProgress>
    {
        private readonly Lock _lock = new();
        private string _stage = "";
        private int _tenth = -1;

        public void Report(OverlapProgress p)
        {
            lock (_lock)
            {
                int tenth = p.Total == 0 ? 10 : 10 * p.Done / p.Total;
                if (p.Stage == _stage && tenth == _tenth) return;
                (_stage, _tenth) = (p.Stage, tenth);
                writer.WriteLine($"{p.Stage}: {p.Done}/{p.Total}");
            }
        }
    }
}
