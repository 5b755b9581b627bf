using System.CommandLine;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Synthetic;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit world</c>: writes the demo's synthetic sound world to a folder, to look at and listen to.</summary>
public static class WorldCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Folder to write the world into (created; an existing world there is reused or replaced).", Required = true };
        var quick = new Option<bool>("--quick") { Description = "The small world of 'demo --quick' instead of the full demo's." };
        var seed = CommonOptions.Seed();
        var command = new Command("world",
            "Write the demo's synthetic sound world in the ESC-50, Clotho and AudioSet layouts (16-bit WAV), with world.json and a text corpus.")
        {
            outDir, quick, seed,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var options = (parse.GetValue(quick) ? SyntheticWorldOptions.Quick : SyntheticWorldOptions.Default) with { Seed = parse.GetValue(seed) };
            var layout = SyntheticWorld.Generate(options, parse.GetValue(outDir)!, new LineProgress(ctx.Error), token);
            var c = layout.Counts;
            ctx.Output.WriteLine(layout.Reused ? $"World already in {layout.Root} (same options and seed): reused." : $"World written to {layout.Root}");
            ctx.Output.WriteLine($"  classes      {c.Classes} ({c.TestClasses} zero-shot test classes: {string.Join(", ", layout.TestClasses.Select(t => t.Name))})");
            ctx.Output.WriteLine($"  esc50        {layout.Esc50Dir}  ({c.Esc50Clips} clips)");
            ctx.Output.WriteLine($"  clotho       {layout.ClothoDir}  ({c.ClothoClips} clips, {c.ClothoCaptions} captions; {c.ClothoSynonymOnlyTestClips} of {c.ClothoTestClassClips} test-class clips named only by synonyms)");
            ctx.Output.WriteLine($"  audioset     {layout.AudioSetDir}  ({c.AudioSetClips} clips, {c.AudioSetTestClassClips} of test classes)");
            ctx.Output.WriteLine($"  corpus       {layout.CorpusPath}  ({c.CorpusSentences} sentences; vocab.txt {c.VocabularySize} tokens)");
            ctx.Output.WriteLine($"  description  {layout.WorldJsonPath}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Progress lines to standard error, in order (the generator reports from several threads).</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        private readonly Lock _gate = new();
        public void Report(string value) { lock (_gate) writer.WriteLine(value); }
    }
}
