using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using ClapAudit.Experiments;
using ClapAudit.Synthetic;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;
using ClapAudit.Tests.Data;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// Every <c>./clapaudit ...</c> command line of README.md and docs/*.md, read as a user copies it: the
/// command must exist, each option must be one of its options and each <c>--set</c> key one of its
/// settings. Concrete examples (no placeholders) are also executed on the tiny fixtures, or listed with
/// the reason in tests/documented-examples-not-run.txt; the grid config of docs/cli.md is loaded.
/// </summary>
public partial class DocumentedExamplesTests
{
    private sealed record Example(string Source, string Text, string[] Tokens)
    {
        public override string ToString() => $"{Source}: {Text}";
    }

    private static readonly string NotRunFile =
        System.IO.Path.Combine(Fixtures.Root, "tests", "documented-examples-not-run.txt");

    /// <summary>Concrete examples the test executes: the docs' paths mapped onto the fixtures.</summary>
    private static readonly Dictionary<string, Func<string, (string[] Args, Action<int, string, string> Check)>> Runs =
        new()
        {
            ["./clapaudit --help"] = _ => (["--help"], (code, stdout, _) =>
            {
                Assert.Equal(0, code);
                foreach (var c in ClapAudit.Cli.Program.BuildRoot().Subcommands) Assert.Contains(c.Name, stdout);
            }
            ),
            ["./clapaudit data prepare --clotho data/clotho --audiocaps data/audiocaps --fsd50k data/FSD50K " +
         "--macs data/MACS --out manifests/clean --clean-against data/ESC-50-master --seed 0"] = temp => (
            ["data", "prepare", "--clotho", DataFixtures.Clotho, "--audiocaps", DataFixtures.AudioCaps,
             "--fsd50k", DataFixtures.Fsd50k, "--macs", DataFixtures.Macs,
             "--out", System.IO.Path.Combine(temp, "manifests", "clean"), "--clean-against", DataFixtures.Esc50,
             "--seed", "0"],
            (code, _, stderr) =>
            {
                Assert.True(code == 0, stderr);
                Assert.True(File.Exists(System.IO.Path.Combine(temp, "manifests", "clean", "leakage.json")));
            }
         ),
        };

    private static IEnumerable<string> DocumentFiles() =>
        new[] { System.IO.Path.Combine(Fixtures.Root, "README.md") }
            .Concat(Directory.GetFiles(System.IO.Path.Combine(Fixtures.Root, "docs"), "*.md")
                .Order(StringComparer.Ordinal));

    private static List<Example> Examples()
    {
        var examples = new List<Example>();
        foreach (string file in DocumentFiles())
        {
            string text = File.ReadAllText(file);
            string name = System.IO.Path.GetRelativePath(Fixtures.Root, file);
            var spans = InlineCode().Matches(text).Select(m => (m.Index, m.Groups[1].Value))
                .Concat(BlockLine().Matches(text).Select(m => (m.Index, m.Groups[1].Value)));
            foreach (var (index, raw) in spans)
            {
                string line = Whitespace().Replace(raw, " ").Trim();
                int lineNumber = text.Take(index).Count(c => c == '\n') + 1;
                examples.Add(new Example($"{name}:{lineNumber}", line, Tokenize(line)));
            }
        }
        return examples;
    }

    /// <summary>Shell-like words: whitespace-separated, double quotes grouping (and removed).</summary>
    private static string[] Tokenize(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char ch in line)
        {
            if (ch == '"') { quoted = !quoted; any = true; }
            else if (char.IsWhiteSpace(ch) && !quoted)
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else { word.Append(ch); any = true; }
        }
        if (any) words.Add(word.ToString());
        return words.Skip(1).ToArray(); // drop ./clapaudit
    }

    /// <summary>A synopsis, not a command line: optional parts, alternatives, ellipses, CAPITAL placeholders.</summary>
    private static bool IsSynopsis(Example e) =>
        e.Text.IndexOfAny(['[', ']', '|', '<', '>']) >= 0 || e.Text.Contains("...")
        || e.Tokens.Any(t => Placeholder().IsMatch(t));

    [Fact]
    public void EveryExampleNamesAnExistingCommandAndOnlyItsOptionsAndSettings()
    {
        var root = ClapAudit.Cli.Program.BuildRoot();
        var examples = Examples();
        Assert.True(examples.Count > 30, $"only {examples.Count} examples found");
        var problems = examples.SelectMany(e => Problems(root, e)).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("./clapaudit grid --config grid.yaml --out runs/grid --device cuda", "has no option --device")]
    [InlineData("./clapaudit train --manifest m --bert b --cnn14 none --out r --set epochs=2",
        "key 'epochs' is unknown")]
    [InlineData("./clapaudit demo --set training.epochs=2", "key 'epochs' is unknown")]
    [InlineData("./clapaudit analyze BUNDLE... [--metrics cosine]", "has no option --metrics")]
    public void TheCheckFindsAnUnknownOptionOrKey(string line, string expected)
    {
        var problems = Problems(ClapAudit.Cli.Program.BuildRoot(), new Example("made up", line, Tokenize(line)));
        Assert.Contains(problems, p => p.Contains(expected));
    }

    private static IEnumerable<string> Problems(Command root, Example example)
    {
        var tokens = example.Tokens.SkipWhile(t => t == "--yes").ToArray(); // the set-up's own first argument
        var (command, ancestors, rest) = Resolve(root, tokens);
        var known = command.Options.Concat(ancestors.SelectMany(a => a.Options.Where(o => o.Recursive)))
            .SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        var sets = new List<string>();
        for (int i = 0; i < rest.Length; i++)
        {
            string t = rest[i].Trim('[', ']');
            if (!t.StartsWith('-') || t == "-") continue;
            string option = t.Split('=')[0];
            if (!known.Contains(option)) yield return $"{example}: '{command.Name}' has no option {option}";
            if (option == "--set" && i + 1 < rest.Length) sets.Add(rest[i + 1].Trim('[', ']'));
        }
        if (!IsSynopsis(example))
            foreach (var p in CheckSettings(command, sets)) yield return $"{example}: {p}";
    }

    [Fact]
    public void EveryConcreteExampleIsRunOrListedAsNotRunnableWithTheReason()
    {
        var listed = File.ReadAllLines(NotRunFile)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(" :: ", 2))
            .ToList();
        Assert.All(listed, entry =>
            Assert.True(entry.Length == 2 && entry[1].Trim().Length > 0, $"{NotRunFile}: '{entry[0]}' has no reason"));
        var notRun = listed.Select(e => e[0].Trim()).ToHashSet(StringComparer.Ordinal);
        var concrete = Examples().Where(e => !IsSynopsis(e)).ToList();

        var unaccounted = concrete.Where(e => !Runs.ContainsKey(e.Text) && !notRun.Contains(e.Text))
            .Select(e => e.ToString()).ToList();
        Assert.True(unaccounted.Count == 0,
            $"examples neither run nor listed in {NotRunFile}:\n" + string.Join("\n", unaccounted));
        var stale = notRun.Concat(Runs.Keys).Where(t => concrete.All(e => e.Text != t)).ToList();
        Assert.True(stale.Count == 0, "listed examples the docs no longer hold:\n" + string.Join("\n", stale));

        foreach (var text in concrete.Select(e => e.Text).Where(Runs.ContainsKey).Distinct())
        {
            using var temp = Fixtures.TempDir();
            var (args, check) = Runs[text](temp.Path);
            var (code, stdout, stderr) = CliTestHost.Run(args);
            check(code, stdout, stderr);
        }
    }

    [Fact]
    public void TheGridConfigOfTheDocsLoadsWithEveryKeyKnown()
    {
        string cli = File.ReadAllText(System.IO.Path.Combine(Fixtures.Root, "docs", "cli.md"));
        var blocks = YamlBlock().Matches(cli).Select(m => m.Groups[1].Value).ToList();
        Assert.Single(blocks);
        using var temp = Fixtures.TempDir();
        File.WriteAllText(temp.File("grid.yaml"), blocks[0]);
        var config = GridConfig.Load(temp.File("grid.yaml"));
        Assert.Equal("30", config.Pretraining["max_epochs"]);
        Assert.Equal(6, config.SelectedSetups().Count);
    }

    private static (Command Command, List<Command> Ancestors, string[] Remaining) Resolve(Command root, string[] tokens)
    {
        var command = root;
        var ancestors = new List<Command>();
        int i = 0;
        for (; i < tokens.Length; i++)
        {
            var sub = command.Subcommands.FirstOrDefault(c => c.Name == tokens[i]);
            if (sub is null) break;
            ancestors.Add(command);
            command = sub;
        }
        ancestors.Add(command);
        return (command, ancestors, tokens[i..]);
    }

    /// <summary>The --set keys of a concrete example, applied as the command applies them.</summary>
    private static IEnumerable<string> CheckSettings(Command command, List<string> sets)
    {
        if (sets.Count == 0) return [];
        try
        {
            switch (command.Name)
            {
                case "train": new TrainingRecipe().WithOverrides(sets); break;
                case "pretrain": new PretrainRecipe().WithOverrides(sets); break;
                case "pretrain-text": TextPretrainRecipe.Default.WithOverrides(sets); break;
                case "demo":
                    DemoPreset.Default.WithOverrides(sets);
                    new TrainingRecipe().WithOverrides(Section(sets, "training"));
                    new PretrainRecipe().WithOverrides(Section(sets, "pretraining"));
                    break;
                default: return [$"--set on '{command.Name}', which this test does not know how to check"];
            }
        }
        catch (ClapAudit.Common.ClapAuditException e) { return [e.Message]; }
        return [];
    }

    private static IEnumerable<string> Section(List<string> sets, string section) =>
        sets.Where(s => s.StartsWith(section + ".", StringComparison.Ordinal)).Select(s => s[(section.Length + 1)..]);

    [GeneratedRegex(@"`(\./clapaudit(?:\s[^`]*)?)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^(?: {4})?(\./clapaudit\s.*)$", RegexOptions.Multiline)]
    private static partial Regex BlockLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*(\.[a-z]+)?(\.\.\.)?$")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
