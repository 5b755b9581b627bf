using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Common;
using NAudio.Wave;

namespace ClapAudit.Synthetic;

/// <summary>
/// Generates the synthetic sound world behind `clapaudit demo`: seeded, deterministic, written in
/// the published layouts of ESC-50, Clotho and AudioSet (docs/demo-world.md explains the design).
/// </summary>
public static class SyntheticWorld
{
    /// <summary>Bumped whenever the same options would produce different files.</summary>
    public const int GeneratorVersion = 1;

    private const string Marker = ".clapaudit-world";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>
    /// Writes the world into <paramref name="outputDir"/>, or returns the one already there if its
    /// world.json has the same options and generator version. Rendering runs in parallel; each clip
    /// draws from its own random stream, so the bytes do not depend on scheduling.
    /// </summary>
    /// <exception cref="ClapAuditException">Invalid options, or a non-empty folder that is not a synthetic world.</exception>
    public static SyntheticWorldLayout Generate(SyntheticWorldOptions options, string outputDir,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string root = Path.GetFullPath(outputDir);
        var layout = Paths(root);

        if (TryReadExisting(layout.WorldJsonPath, options) is { } existing)
        {
            progress?.Report($"World already generated in {root} (same options and seed); reusing it.");
            return layout with { Classes = existing.Classes, Counts = existing.Counts, Reused = true };
        }

        PrepareFolder(root, layout);
        var plan = WorldPlan.Create(options);
        progress?.Report($"World: {plan.Classes.Count} classes ({options.TestClasses} zero-shot test classes), seed {options.Seed}.");

        var jobs = new List<(SoundClass Class, string Path, string Stream, int Index)>();
        jobs.AddRange(plan.Esc50.Select((c, i) => (plan.Classes[c.ClassIndex], Path.Combine(layout.Esc50Dir, "audio", c.FileName), "esc50-audio", i)));
        jobs.AddRange(plan.Clotho.Select((c, i) => (plan.Classes[c.ClassIndex], Path.Combine(layout.ClothoDir, c.Split, c.FileName), "clotho-audio", i)));
        jobs.AddRange(plan.AudioSet.Select((c, i) => (plan.Classes[c.ClassIndex], Path.Combine(layout.AudioSetDir, "audio", c.FileName), "audioset-audio", i)));
        foreach (var dir in jobs.Select(j => Path.GetDirectoryName(j.Path)!).Distinct()) Directory.CreateDirectory(dir);

        progress?.Report($"Rendering {jobs.Count} clips ({options.ClipSeconds:0.##} s at {options.SampleRate} Hz)...");
        int done = 0, step = Math.Max(1, jobs.Count / 10);
        var format = new WaveFormat(options.SampleRate, 16, 1);
        ParallelErrors.Run(() => Parallel.For(0, jobs.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var job = jobs[i];
            short[] pcm = ClipRenderer.Render(job.Class, options, WorldRandom.For(options.Seed, job.Stream, job.Index));
            using (var writer = new WaveFileWriter(job.Path, format)) writer.WriteSamples(pcm, 0, pcm.Length);
            int d = Interlocked.Increment(ref done);
            if (d % step == 0 || d == jobs.Count) progress?.Report($"Rendered {d}/{jobs.Count} clips");
        }));
        ct.ThrowIfCancellationRequested();

        PublishedLayouts.WriteEsc50Meta(layout.Esc50Dir, plan.Esc50);
        PublishedLayouts.WriteClotho(layout.ClothoDir, plan.Clotho, plan.Classes);
        PublishedLayouts.WriteAudioSetLabels(layout.AudioSetDir, plan.Classes);
        PublishedLayouts.WriteAudioSetSegments(layout.AudioSetDir, plan.AudioSet, plan.Classes, options.ClipSeconds);

        var corpus = WorldText.Corpus(options, plan.Classes);
        WorldText.WriteLines(layout.CorpusPath, corpus);
        var vocab = WorldText.Vocabulary(corpus
            .Concat(plan.Clotho.SelectMany(c => c.Captions))
            .Concat(plan.Classes.Select(c => SyntheticWorldLayout.Prompt(c.Name))));
        WorldText.WriteLines(layout.VocabPath, vocab);

        var counts = new WorldCounts(
            plan.Classes.Count, options.TestClasses, plan.Esc50.Count,
            plan.Clotho.Count, plan.Clotho.Count * WorldPlan.CaptionsPerClip,
            plan.Clotho.Count(c => plan.Classes[c.ClassIndex].IsTest),
            plan.Clotho.Count(c => plan.Classes[c.ClassIndex].IsTest && c.SynonymOnly),
            plan.AudioSet.Count, plan.AudioSet.Count(c => plan.Classes[c.ClassIndex].IsTest),
            corpus.Count, vocab.Count);
        var description = new WorldDescription(GeneratorVersion, options, plan.Classes,
            plan.Classes.Where(c => c.IsTest).Select(c => c.Name).ToList(), counts, CaptionTemplates.Prompt,
            new Dictionary<string, string>
            {
                ["esc50"] = "esc50",
                ["clotho"] = "clotho",
                ["audioset"] = "audioset",
                ["corpus"] = "text/corpus.txt",
                ["vocab"] = "text/vocab.txt",
            });
        // Written last: its presence means the world is complete.
        AtomicFile.WriteAllText(layout.WorldJsonPath, JsonSerializer.Serialize(description, Json));
        progress?.Report($"World written to {root}.");
        return layout with { Classes = plan.Classes, Counts = counts };
    }

    /// <summary>Reads a world.json written by <see cref="Generate"/>.</summary>
    public static (SyntheticWorldOptions Options, IReadOnlyList<SoundClass> Classes, WorldCounts Counts) ReadDescription(string worldJsonPath)
    {
        Guard.FileExists(worldJsonPath, "world description");
        WorldDescription? d;
        try { d = JsonSerializer.Deserialize<WorldDescription>(File.ReadAllText(worldJsonPath), Json); }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{worldJsonPath}: not a world description ({e.Message})", e); }
        Guard.Data(d is { Options: not null, Classes: not null, Counts: not null }, $"{worldJsonPath}: missing options, classes or counts");
        return (d!.Options!, d.Classes!, d.Counts!);
    }

    private static SyntheticWorldLayout Paths(string root) => new(
        root, Path.Combine(root, "esc50"), Path.Combine(root, "clotho"), Path.Combine(root, "audioset"),
        Path.Combine(root, "text", "corpus.txt"), Path.Combine(root, "text", "vocab.txt"), Path.Combine(root, "world.json"),
        [], new WorldCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false);

    private static (IReadOnlyList<SoundClass> Classes, WorldCounts Counts)? TryReadExisting(string worldJson, SyntheticWorldOptions options)
    {
        if (!File.Exists(worldJson)) return null;
        try
        {
            var d = JsonSerializer.Deserialize<WorldDescription>(File.ReadAllText(worldJson), Json);
            if (d is null || d.Version != GeneratorVersion || d.Options != options || d.Classes is null || d.Counts is null) return null;
            return (d.Classes, d.Counts);
        }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// Clears a previous (different or unfinished) world before writing, so no stale clip survives;
    /// refuses to touch a non-empty folder that no generator run has marked as its own.
    /// </summary>
    private static void PrepareFolder(string root, SyntheticWorldLayout layout)
    {
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            if (!File.Exists(Path.Combine(root, Marker)) && !File.Exists(layout.WorldJsonPath))
                throw new ClapAuditException(ErrorKind.InvalidSetting,
                    $"{root}: folder is not empty and holds no synthetic world (no world.json); choose an empty or new folder");
            File.Delete(layout.WorldJsonPath);
            foreach (var dir in new[] { layout.Esc50Dir, layout.ClothoDir, layout.AudioSetDir, Path.GetDirectoryName(layout.CorpusPath)! })
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, Marker), "Written by ClapAudit's synthetic world generator; the folder may be regenerated.\n");
    }

    /// <summary>The content of world.json.</summary>
    internal sealed record WorldDescription(
        int Version, SyntheticWorldOptions Options, IReadOnlyList<SoundClass> Classes, IReadOnlyList<string> TestClasses,
        WorldCounts Counts, string Prompt, IReadOnlyDictionary<string, string> Paths);
}
