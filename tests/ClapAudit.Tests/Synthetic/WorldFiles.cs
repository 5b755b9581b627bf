using System.Globalization;
using CsvHelper;

namespace ClapAudit.Tests.Synthetic;

/// <summary>Reads a generated world back with an independent CSV parser, as a dataset reader would.</summary>
internal static class WorldFiles
{
    public static (string HeaderLine, List<string[]> Rows) ReadCsv(string path)
    {
        string header = File.ReadLines(path).First();
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        csv.Read(); csv.ReadHeader();
        while (csv.Read()) rows.Add(csv.Parser.Record!);
        return (header, rows);
    }

    /// <summary>Clotho captions of every split: file name, split, five captions.</summary>
    public static List<(string File, string Split, string[] Captions)> ClothoCaptions(string clothoDir)
    {
        var all = new List<(string, string, string[])>();
        foreach (var split in new[] { "development", "validation", "evaluation" })
            foreach (var row in ReadCsv(Path.Combine(clothoDir, $"clotho_captions_{split}.csv")).Rows)
                all.Add((row[0], split, row[1..]));
        return all;
    }

    /// <summary>AudioSet segments: YTID and label mids, parsed the way audioset_tagging_cnn does (skip 3 lines, split on ", ").</summary>
    public static List<(string Ytid, string[] Mids)> AudioSetSegments(string path) =>
        File.ReadAllLines(path).Skip(3).Select(line =>
        {
            var parts = line.Split(", ");
            return (parts[0], parts[3].Trim('"').Split(','));
        }).ToList();
}
