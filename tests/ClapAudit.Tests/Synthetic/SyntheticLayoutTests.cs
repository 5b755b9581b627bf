using ClapAudit.Synthetic;
using NAudio.Wave;

namespace ClapAudit.Tests.Synthetic;

/// <summary>The Quick world is written in the published layouts (reference-systems.md section 3), with the expected counts.</summary>
[Collection(QuickWorldCollection.Name)]
public sealed class SyntheticLayoutTests(QuickWorldFixture world)
{
    private SyntheticWorldLayout L => world.Layout;
    private SyntheticWorldOptions O => world.Options;

    [Fact]
    public void Esc50HasTheExactHeaderAndEveryTestClassWithItsClipCount()
    {
        var (header, rows) = WorldFiles.ReadCsv(Path.Combine(L.Esc50Dir, "meta", "esc50.csv"));
        Assert.Equal("filename,fold,target,category,esc10,src_file,take", header);
        Assert.Equal(O.TestClasses * O.TestClipsPerClass, rows.Count);
        foreach (var c in L.TestClasses)
        {
            var mine = rows.Where(r => r[3] == c.Name).ToList();
            Assert.Equal(O.TestClipsPerClass, mine.Count);
            Assert.All(mine, r => Assert.Equal(c.Target.ToString(), r[2]));
        }
        Assert.Equal(Enumerable.Range(0, O.TestClasses).Select(i => i.ToString()), rows.Select(r => r[2]).Distinct().OrderBy(int.Parse));
        foreach (var r in rows)
        {
            Assert.Equal($"{r[1]}-{r[5]}-{r[6]}-{r[2]}.wav", r[0]);
            Assert.Contains(r[1], new[] { "1", "2", "3", "4", "5" });
            Assert.Equal("False", r[4]);
            Assert.True(File.Exists(Path.Combine(L.Esc50Dir, "audio", r[0])), r[0]);
        }
        // Folds are balanced: TestClipsPerClass = 10 gives 2 clips of each class in each fold.
        Assert.All(rows.GroupBy(r => r[1]), g => Assert.Equal(O.TestClasses * O.TestClipsPerClass / 5, g.Count()));
    }

    [Fact]
    public void ClothoHasTheExactHeadersFiveCaptionsPerClipAndItsAudio()
    {
        int total = 0;
        foreach (var split in new[] { "development", "validation", "evaluation" })
        {
            var (header, rows) = WorldFiles.ReadCsv(Path.Combine(L.ClothoDir, $"clotho_captions_{split}.csv"));
            Assert.Equal("file_name,caption_1,caption_2,caption_3,caption_4,caption_5", header);
            var (metaHeader, meta) = WorldFiles.ReadCsv(Path.Combine(L.ClothoDir, $"clotho_metadata_{split}.csv"));
            Assert.Equal("file_name,keywords,sound_id,sound_link,start_end_samples,manufacturer,license", metaHeader);
            Assert.Equal(rows.Select(r => r[0]), meta.Select(r => r[0]));
            Assert.NotEmpty(rows);
            foreach (var r in rows)
            {
                Assert.Equal(6, r.Length);
                Assert.All(r[1..], c => Assert.False(string.IsNullOrWhiteSpace(c)));
                Assert.True(File.Exists(Path.Combine(L.ClothoDir, split, r[0])), r[0]);
            }
            total += rows.Count;
        }
        Assert.Equal(O.Classes * O.CaptionedClipsPerClass, total);
        // Captions with commas are quoted (and parse back whole).
        string dev = File.ReadAllText(Path.Combine(L.ClothoDir, "clotho_captions_development.csv"));
        Assert.Contains(",\"", dev);
        Assert.Contains(WorldFiles.ClothoCaptions(L.ClothoDir).SelectMany(c => c.Captions), c => c.Contains(", "));
    }

    [Fact]
    public void AudioSetHasTheExactFormatAndLabelsAreTheClassNames()
    {
        var labelLines = File.ReadAllLines(Path.Combine(L.AudioSetDir, "class_labels_indices.csv"));
        Assert.Equal("index,mid,display_name", labelLines[0]);
        Assert.Equal(O.Classes, labelLines.Length - 1);
        for (int i = 0; i < O.Classes; i++)
            Assert.Equal($"{i},{L.Classes[i].Mid},\"{L.Classes[i].Name}\"", labelLines[i + 1]);

        string segPath = Path.Combine(L.AudioSetDir, "balanced_train_segments.csv");
        var lines = File.ReadAllLines(segPath);
        Assert.All(lines.Take(3), l => Assert.StartsWith("#", l));
        Assert.Equal("# YTID, start_seconds, end_seconds, positive_labels", lines[2]);
        Assert.Matches("^[A-Za-z0-9_-]{11}, 0\\.000, 1\\.000, \"/m/syn\\d{3}\"$", lines[3]);
        var segments = WorldFiles.AudioSetSegments(segPath);
        Assert.Equal(O.Classes * O.PretrainClipsPerClass, segments.Count);
        Assert.Equal(segments.Count, segments.Select(s => s.Ytid).Distinct().Count());
        foreach (var c in L.Classes)
            Assert.Equal(O.PretrainClipsPerClass, segments.Count(s => s.Mids.Contains(c.Mid)));
        Assert.All(segments, s => Assert.True(File.Exists(Path.Combine(L.AudioSetDir, "audio", $"Y{s.Ytid}.wav")), s.Ytid));
    }

    [Fact]
    public void WavsAre16BitMonoPcmAtTheWorldsRateAndLength()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(L.Esc50Dir, "audio")).Take(5)
                     .Concat(Directory.EnumerateFiles(Path.Combine(L.AudioSetDir, "audio")).Take(5)))
        {
            using var reader = new WaveFileReader(file);
            Assert.Equal(WaveFormatEncoding.Pcm, reader.WaveFormat.Encoding);
            Assert.Equal(16, reader.WaveFormat.BitsPerSample);
            Assert.Equal(1, reader.WaveFormat.Channels);
            Assert.Equal(O.SampleRate, reader.WaveFormat.SampleRate);
            Assert.Equal(O.SamplesPerClip, reader.SampleCount);
        }
    }

    [Fact]
    public void WorldJsonDescribesClassesTestClassesAndCounts()
    {
        var (options, classes, counts) = SyntheticWorld.ReadDescription(L.WorldJsonPath);
        Assert.Equal(O, options);
        Assert.Equal(L.Classes, classes);
        Assert.Equal(L.Counts, counts);
        Assert.Equal(O.TestClasses, classes.Count(c => c.IsTest));
        string json = File.ReadAllText(L.WorldJsonPath);
        Assert.Contains("\"test_classes\"", json);
        Assert.Contains("\"synonym\"", json);
        Assert.Contains("\"source\": \"warble\"", json);
    }
}
