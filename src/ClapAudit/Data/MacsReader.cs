using ClapAudit.Common;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ClapAudit.Data;

/// <summary>Settings for reading MACS.</summary>
/// <param name="AudioFolder">Folder of the TAU Urban Acoustic Scenes 2019 development WAVs (stereo, 48 kHz);
/// null: <c>audio/</c> beside <c>MACS.yaml</c>. A relative path is taken relative to the MACS folder.</param>
public sealed record MacsOptions(string? AudioFolder = null)
{
    public const string DefaultAudioFolder = "audio";
}

/// <summary>
/// Reads MACS (Zenodo 5114771): <c>MACS.yaml</c> with <c>files:</c>, a list of items with
/// <c>filename</c> and <c>annotations:</c>, each with a <c>sentence</c> (also <c>annotator_id</c>, <c>tags</c>).
/// One pair per annotation; pair id "filename#k" (k = 1-based annotation index).
/// </summary>
/// <remarks>Walks YamlDotNet's event stream rather than building its node graph: the same parser,
/// with line numbers for problems, at a fraction of the allocation for the 17,000 annotations.</remarks>
public static class MacsReader
{
    public const string Name = "macs";

    private sealed record Annotation(int Line, string? Sentence, string? Error = null);
    private sealed record Item(int Line, string? FileName, List<Annotation>? Annotations, string? Error);

    public static PairReadResult Read(string folder, MacsOptions? options = null, AudioFileIndex? index = null)
    {
        options ??= new MacsOptions();
        index ??= new AudioFileIndex();
        Guard.DirectoryExists(folder, "MACS folder");
        folder = Path.GetFullPath(folder);
        string yamlPath = Path.Combine(folder, "MACS.yaml");
        Guard.FileExists(yamlPath, "MACS annotation file");
        string audioDir = Path.GetFullPath(Path.Combine(folder, options.AudioFolder ?? MacsOptions.DefaultAudioFolder));

        List<Item> items;
        using (var reader = new StreamReader(yamlPath, StrictUtf8.Encoding, true, 1 << 16))
        {
            var parser = new Parser(reader);
            try
            {
                items = ParseFiles(parser, yamlPath);
            }
            catch (YamlException e)
            {
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{yamlPath}:{e.Start.Line}: unreadable YAML: {e.Message}", e);
            }
            catch (Exception e) when (StrictUtf8.IsInvalid(e))
            {
                throw StrictUtf8.Error(yamlPath, Line(parser), e);
            }
        }

        var pairs = new List<AudioTextPair>();
        var problems = new ProblemLog();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int missingPairs = 0, missingFiles = 0;
        foreach (var item in items)
        {
            if (item.Error is not null) { problems.Add(yamlPath, item.Line, item.Error); continue; }
            string? filename = item.FileName?.Trim();
            if (string.IsNullOrEmpty(filename)) { problems.Add(yamlPath, item.Line, "item without 'filename'; skipped"); continue; }
            if (!seen.Add(filename)) { problems.Add(yamlPath, item.Line, $"duplicate filename '{filename}'; skipped"); continue; }
            if (RelativePaths.Problem(filename) is { } outside)
            {
                problems.Add(yamlPath, item.Line, $"filename {outside}; skipped");
                continue;
            }
            if (item.Annotations is null) { problems.Add(yamlPath, item.Line, $"'{filename}' has no 'annotations' list; skipped"); continue; }
            var captions = new List<(int K, string Text)>();
            for (int k = 1; k <= item.Annotations.Count; k++)
            {
                var ann = item.Annotations[k - 1];
                if (ann.Error is not null)
                {
                    problems.Add(yamlPath, ann.Line, $"{ann.Error} (annotation {k} of '{filename}'); pair skipped");
                    continue;
                }
                string? sentence = ann.Sentence?.Trim();
                if (string.IsNullOrEmpty(sentence)) problems.Add(yamlPath, ann.Line, $"empty or missing 'sentence' (annotation {k} of '{filename}'); pair skipped");
                else captions.Add((k, sentence));
            }
            string audio = Path.Combine(audioDir, filename);
            if (!index.Exists(audio))
            {
                problems.Add(yamlPath, item.Line, $"audio file missing: {Path.GetRelativePath(folder, audio)}");
                missingFiles++;
                missingPairs += captions.Count;
                continue;
            }
            foreach (var (n, text) in captions) pairs.Add(new AudioTextPair(Name, audio, text, $"{filename}#{n}"));
        }
        return new PairReadResult(Name, pairs, problems.Items, missingPairs, missingFiles);
    }

    /// <summary>Top level: a mapping whose 'files' key holds a sequence of items.</summary>
    private static List<Item> ParseFiles(IParser parser, string path)
    {
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) throw Bad(path, 1, "empty file, expected a mapping with a 'files' list");
        parser.Consume<DocumentStart>();
        if (!parser.TryConsume<MappingStart>(out var root)) throw Bad(path, Line(parser), "expected a mapping with a 'files' list");
        List<Item>? items = null;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            int keyLine = Line(parser);
            string? key = KeyOf(parser);
            if (key is not null && !keys.Add(key)) throw Bad(path, keyLine, $"duplicate top-level key '{key}'");
            if (key == "files" && parser.TryConsume<SequenceStart>(out _))
            {
                items = [];
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ParseItem(parser));
            }
            else parser.SkipThisAndNestedEvents();
        }
        parser.Consume<DocumentEnd>();
        // A second document ('---') would be dropped silently: MACS.yaml holds one.
        if (parser.Accept<DocumentStart>(out var second))
            throw Bad(path, (int)second.Start.Line,
                "a second YAML document ('---'); MACS.yaml holds one, with a 'files' list");
        return items ?? throw Bad(path, (int)root.Start.Line, "missing 'files:' list at the top level");
    }

    private static Item ParseItem(IParser parser)
    {
        int line = Line(parser);
        if (!parser.TryConsume<MappingStart>(out _))
        {
            parser.SkipThisAndNestedEvents();
            return new Item(line, null, null, "list item is not a mapping; skipped");
        }
        string? filename = null, error = null;
        List<Annotation>? annotations = null;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            int keyLine = Line(parser);
            string? key = KeyOf(parser);
            if (key is not null && !keys.Add(key)) error ??= $"duplicate key '{key}' on line {keyLine}; item skipped";
            if (key == "filename" && parser.TryConsume<Scalar>(out var s)) filename = s.Value;
            else if (key == "annotations" && parser.TryConsume<SequenceStart>(out _))
            {
                annotations = [];
                while (!parser.TryConsume<SequenceEnd>(out _)) annotations.Add(ParseAnnotation(parser));
            }
            else parser.SkipThisAndNestedEvents();
        }
        return new Item(line, filename, annotations, error);
    }

    private static Annotation ParseAnnotation(IParser parser)
    {
        int line = Line(parser);
        if (!parser.TryConsume<MappingStart>(out _))
        {
            parser.SkipThisAndNestedEvents();
            return new Annotation(line, null);
        }
        string? sentence = null, error = null;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            int keyLine = Line(parser);
            string? key = KeyOf(parser);
            if (key is not null && !keys.Add(key)) error ??= $"duplicate key '{key}' on line {keyLine}";
            if (key == "sentence" && parser.TryConsume<Scalar>(out var s)) sentence = s.Value;
            else parser.SkipThisAndNestedEvents();
        }
        return new Annotation(line, sentence, error);
    }

    /// <summary>Consumes a mapping key; a non-scalar key is skipped and gives null.</summary>
    private static string? KeyOf(IParser parser)
    {
        if (parser.TryConsume<Scalar>(out var key)) return key.Value;
        parser.SkipThisAndNestedEvents();
        return null;
    }

    private static int Line(IParser parser) => (int)(parser.Current?.Start.Line ?? 0);

    private static ClapAuditException Bad(string path, int line, string what) => new(ErrorKind.InvalidData, $"{path}:{line}: {what}");
}
