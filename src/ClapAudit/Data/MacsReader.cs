using ClapAudit.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

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
public static class MacsReader
{
    public const string Name = "macs";

    public static PairReadResult Read(string folder, MacsOptions? options = null, AudioFileIndex? index = null)
    {
        options ??= new MacsOptions();
        index ??= new AudioFileIndex();
        Guard.DirectoryExists(folder, "MACS folder");
        folder = Path.GetFullPath(folder);
        string yamlPath = Path.Combine(folder, "MACS.yaml");
        Guard.FileExists(yamlPath, "MACS annotation file");
        string audioDir = Path.GetFullPath(Path.Combine(folder, options.AudioFolder ?? MacsOptions.DefaultAudioFolder));

        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(yamlPath, System.Text.Encoding.UTF8);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{yamlPath}:{e.Start.Line}: unreadable YAML: {e.Message}", e);
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{yamlPath}:1: expected a mapping with a 'files' list");
        if (!root.Children.TryGetValue(new YamlScalarNode("files"), out var filesNode) || filesNode is not YamlSequenceNode files)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{yamlPath}:{root.Start.Line}: missing 'files:' list at the top level");

        var pairs = new List<AudioTextPair>();
        var problems = new ProblemLog();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int missingPairs = 0, missingFiles = 0;
        foreach (var item in files)
        {
            int line = (int)item.Start.Line;
            if (item is not YamlMappingNode map) { problems.Add(yamlPath, line, "list item is not a mapping; skipped"); continue; }
            string? filename = Scalar(map, "filename")?.Trim();
            if (string.IsNullOrEmpty(filename)) { problems.Add(yamlPath, line, "item without 'filename'; skipped"); continue; }
            if (!seen.Add(filename)) { problems.Add(yamlPath, line, $"duplicate filename '{filename}'; skipped"); continue; }
            if (!map.Children.TryGetValue(new YamlScalarNode("annotations"), out var annNode) || annNode is not YamlSequenceNode annotations)
            {
                problems.Add(yamlPath, line, $"'{filename}' has no 'annotations' list; skipped");
                continue;
            }
            var captions = new List<(int K, string Text)>();
            int k = 0;
            foreach (var ann in annotations)
            {
                k++;
                string? sentence = ann is YamlMappingNode a ? Scalar(a, "sentence")?.Trim() : null;
                if (string.IsNullOrEmpty(sentence)) problems.Add(yamlPath, (int)ann.Start.Line, $"empty or missing 'sentence' (annotation {k} of '{filename}'); pair skipped");
                else captions.Add((k, sentence));
            }
            string audio = Path.Combine(audioDir, filename);
            if (!index.Exists(audio))
            {
                problems.Add(yamlPath, line, $"audio file missing: {Path.GetRelativePath(folder, audio)}");
                missingFiles++;
                missingPairs += captions.Count;
                continue;
            }
            foreach (var (n, text) in captions) pairs.Add(new AudioTextPair(Name, audio, text, $"{filename}#{n}"));
        }
        return new PairReadResult(Name, pairs, problems.Items, missingPairs, missingFiles);
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
}
