using System.Globalization;
using System.Text;
using ClapAudit.Common;
using CsvHelper;
using CsvHelper.Configuration;

namespace ClapAudit.Synthetic;

/// <summary>
/// Writes the metadata files of the three published layouts exactly as the real datasets ship
/// them (reference-systems.md section 3), so the demo reads the world with the real readers.
/// CSV through CsvHelper (RFC 4180 quoting); AudioSet's files have their own ", "-separated format.
/// </summary>
internal static class PublishedLayouts
{
    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    /// <summary><c>meta/esc50.csv</c>: <c>filename,fold,target,category,esc10,src_file,take</c>.</summary>
    public static void WriteEsc50Meta(string esc50Dir, IReadOnlyList<Esc50Clip> clips) =>
        WriteCsv(Path.Combine(esc50Dir, "meta", "esc50.csv"), ["filename", "fold", "target", "category", "esc10", "src_file", "take"],
            clips.Select(c => new[]
            {
                c.FileName, Str(c.Fold), Str(c.Target), c.Category, "False", Str(c.SrcId), c.Take,
            }));

    /// <summary>
    /// <c>clotho_captions_{split}.csv</c> (<c>file_name,caption_1..caption_5</c>) and
    /// <c>clotho_metadata_{split}.csv</c> for each split; keywords are the class's attribute words.
    /// </summary>
    public static void WriteClotho(string clothoDir, IReadOnlyList<CaptionedClip> clips, IReadOnlyList<SoundClass> classes)
    {
        int soundId = 100;
        foreach (string split in WorldPlan.ClothoSplits)
        {
            var inSplit = clips.Where(c => c.Split == split).ToList();
            WriteCsv(Path.Combine(clothoDir, $"clotho_captions_{split}.csv"),
                ["file_name", "caption_1", "caption_2", "caption_3", "caption_4", "caption_5"],
                inSplit.Select(c => new[] { c.FileName }.Concat(c.Captions).ToArray()));
            WriteCsv(Path.Combine(clothoDir, $"clotho_metadata_{split}.csv"),
                ["file_name", "keywords", "sound_id", "sound_link", "start_end_samples", "manufacturer", "license"],
                inSplit.Select(c =>
                {
                    var k = classes[c.ClassIndex];
                    string keywords = string.Join(';', SoundVocabulary.PitchWords[k.Pitch][0],
                        SoundVocabulary.RhythmPhrases(k.Rhythm)[0], SoundVocabulary.SourceNouns(k.Source)[0]);
                    int id = soundId++;
                    return new[] { c.FileName, keywords, Str(id), $"synthetic://clapaudit/{id}", "", "clapaudit", "CC0 (generated)" };
                }));
        }
    }

    /// <summary><c>class_labels_indices.csv</c>: <c>index,mid,display_name</c>, display names always double-quoted.</summary>
    public static void WriteAudioSetLabels(string audioSetDir, IReadOnlyList<SoundClass> classes)
    {
        var sb = new StringBuilder("index,mid,display_name\n");
        foreach (var c in classes) sb.Append(Str(c.Index)).Append(',').Append(c.Mid).Append(",\"").Append(c.Name).Append("\"\n");
        AtomicFile.WriteAllText(Path.Combine(audioSetDir, "class_labels_indices.csv"), sb.ToString());
    }

    /// <summary>
    /// <c>balanced_train_segments.csv</c>: three <c>#</c> lines, then
    /// <c>YTID, start, end, "mid,mid"</c> rows separated by comma and space.
    /// </summary>
    public static void WriteAudioSetSegments(string audioSetDir, IReadOnlyList<AudioSetClip> clips, IReadOnlyList<SoundClass> classes, double seconds)
    {
        int labels = clips.Count;
        var sb = new StringBuilder();
        sb.Append("# Segments csv created by ClapAudit's synthetic sound world\n");
        sb.Append("# num_ytids=").Append(Str(clips.Count)).Append(", num_segs=").Append(Str(clips.Count))
          .Append(", num_unique_labels=").Append(Str(clips.Select(c => c.ClassIndex).Distinct().Count()))
          .Append(", num_positive_labels=").Append(Str(labels)).Append('\n');
        sb.Append("# YTID, start_seconds, end_seconds, positive_labels\n");
        string end = seconds.ToString("F3", CultureInfo.InvariantCulture);
        foreach (var c in clips)
            sb.Append(c.Ytid).Append(", 0.000, ").Append(end).Append(", \"").Append(classes[c.ClassIndex].Mid).Append("\"\n");
        AtomicFile.WriteAllText(Path.Combine(audioSetDir, "balanced_train_segments.csv"), sb.ToString());
    }

    private static void WriteCsv(string path, string[] header, IEnumerable<string[]> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var text = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(text, Csv);
            foreach (var h in header) csv.WriteField(h);
            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var f in row) csv.WriteField(f);
                csv.NextRecord();
            }
        });

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
