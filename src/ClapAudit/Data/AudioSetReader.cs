using System.Globalization;
using System.Text;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>One AudioSet segment: a YouTube id, the 10 s window and its positive labels (mids).</summary>
public sealed record AudioSetClip(string YtId, double Start, double End, string[] Mids, string AudioPath);

/// <summary>Settings for reading AudioSet-style labelled audio.</summary>
/// <param name="FilePattern">Audio file of a segment, relative to the AudioSet folder. Placeholders:
/// <c>{ytid}</c>, <c>{start}</c>, <c>{end}</c> (as written in the CSV), <c>{segments}</c> (the segment file's
/// name without <c>_segments.csv</c>, e.g. "balanced_train"). Default <c>audio/Y{ytid}.wav</c>.</param>
/// <param name="SegmentFiles">Segment CSVs to read, relative to the folder; null: every <c>*_segments.csv</c> in it, by name.</param>
/// <param name="OntologyFile">The class list, relative to the folder.</param>
public sealed record AudioSetOptions(
    string FilePattern = AudioSetOptions.DefaultPattern,
    IReadOnlyList<string>? SegmentFiles = null,
    string OntologyFile = "class_labels_indices.csv")
{
    public const string DefaultPattern = "audio/Y{ytid}.wav";

    internal void Validate() =>
        Guard.Setting(FilePattern.Contains("{ytid}"), $"AudioSet file pattern '{FilePattern}' must contain {{ytid}}");
}

/// <summary>The clips of an AudioSet-style folder whose audio exists, with the ontology they use.</summary>
public sealed record AudioSetDataset(
    string Folder,
    AudioSetOntology Ontology,
    IReadOnlyList<AudioSetClip> Clips,
    IReadOnlyList<DataProblem> Problems,
    int MissingAudio);

/// <summary>
/// Reads AudioSet-style labelled audio: <c>class_labels_indices.csv</c> and segment CSVs
/// (<c>eval_segments.csv</c>, <c>balanced_train_segments.csv</c>, ...) that open with three <c>#</c>
/// lines, the third naming <c>YTID, start_seconds, end_seconds, positive_labels</c>; fields are
/// separated by ", " and the labels are a quoted comma-separated list of mids. Clips whose audio is
/// missing are counted and reported, not fatal; unknown mids are reported and dropped.
/// </summary>
public static class AudioSetReader
{
    public static AudioSetDataset Read(string folder, AudioSetOptions? options = null, AudioFileIndex? index = null)
    {
        options ??= new AudioSetOptions();
        options.Validate();
        index ??= new AudioFileIndex();
        Guard.DirectoryExists(folder, "AudioSet folder");
        folder = Path.GetFullPath(folder);
        var ontology = AudioSetOntology.Read(Path.Combine(folder, options.OntologyFile));
        var segmentFiles = options.SegmentFiles?.Select(f => Path.Combine(folder, f)).ToArray()
            ?? Directory.GetFiles(folder, "*_segments.csv").Order(StringComparer.Ordinal).ToArray();
        if (segmentFiles.Length == 0)
            throw new ClapAuditException(ErrorKind.NotFound, $"{folder}: no *_segments.csv file found");
        var clips = new List<AudioSetClip>();
        var problems = new ProblemLog();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int missing = 0;
        foreach (var file in segmentFiles)
        {
            CheckHeader(file);
            string segments = Path.GetFileName(file);
            segments = segments.EndsWith("_segments.csv", StringComparison.Ordinal) ? segments[..^"_segments.csv".Length] : Path.GetFileNameWithoutExtension(segments);
            using var csv = CsvTable.OpenCommented(file);
            while (csv.Read())
            {
                int line = csv.Line;
                if (csv.FieldCount < 4) { problems.Add(file, line, $"expected 4 fields (YTID, start_seconds, end_seconds, positive_labels), found {csv.FieldCount}; row skipped"); continue; }
                string yt = csv[0], startText = csv[1], endText = csv[2];
                if (!double.TryParse(startText, NumberStyles.Float, CultureInfo.InvariantCulture, out double start)
                    || !double.TryParse(endText, NumberStyles.Float, CultureInfo.InvariantCulture, out double end) || end < start)
                {
                    problems.Add(file, line, $"bad start/end seconds '{startText}', '{endText}'; row skipped");
                    continue;
                }
                string key = $"{yt}@{startText}";
                if (!seen.Add(key)) { problems.Add(file, line, $"duplicate segment {yt} at {startText} s; row skipped"); continue; }
                var mids = new List<string>();
                foreach (var mid in csv[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (ontology.ByMid(mid) is null) problems.Add(file, line, $"unknown label '{mid}' (not in {options.OntologyFile}); label dropped");
                    else mids.Add(mid);
                }
                if (mids.Count == 0) { problems.Add(file, line, $"no known labels for {yt}; row skipped"); continue; }
                string rel = new StringBuilder(options.FilePattern).Replace("{ytid}", yt).Replace("{start}", startText)
                    .Replace("{end}", endText).Replace("{segments}", segments).ToString();
                string audio = Path.GetFullPath(Path.Combine(folder, rel));
                if (!index.Exists(audio))
                {
                    problems.Add(file, line, $"audio file missing: {rel}");
                    missing++;
                    continue;
                }
                clips.Add(new AudioSetClip(yt, start, end, mids.ToArray(), audio));
            }
        }
        return new AudioSetDataset(folder, ontology, clips, problems.Items, missing);
    }

    /// <summary>The published files name their columns on the third '#' line; a file without it is probably not a segment list.</summary>
    private static void CheckHeader(string file)
    {
        using var reader = new StreamReader(file, Encoding.UTF8);
        for (int line = 1; line <= 3; line++)
        {
            string? text = reader.ReadLine();
            if (text is null || !text.StartsWith('#'))
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{file}:{line}: expected three '#' comment lines, the third '# YTID, start_seconds, end_seconds, positive_labels'");
            if (line == 3 && !text.Contains("YTID", StringComparison.Ordinal))
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{file}:3: expected '# YTID, start_seconds, end_seconds, positive_labels', found '{text}'");
        }
    }
}
