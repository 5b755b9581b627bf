using System.Text.Json.Nodes;
using ClapAudit.Audio;
using ClapAudit.Audio.Fingerprints;
using ClapAudit.Common;
using ClapAudit.Data;

namespace ClapAudit.Tests.Data;

/// <summary>
/// <c>data overlap</c> on tests/fixtures/overlap (tools/make_overlap_fixtures.py), whose planted copies and
/// near-misses are listed in that script's docstring: the expected matches below are those, by hand.
/// </summary>
public class OverlapFinderTests
{
    private static string Dir(string name) => Fixtures.Path("overlap", name);

    private static OverlapOptions Options(string? outDir, bool content) => new(outDir,
        Esc50Dir: Dir("esc50"), UrbanSound8kDir: Dir("urbansound8k"), ClothoDir: Dir("clotho"), Fsd50kDir: Dir("fsd50k"),
        AudioCapsDir: Dir("audiocaps"), AudioSetDir: Dir("audioset"), Content: content, Threads: 1,
        AudioCaps: new AudioCapsOptions("audio/{youtube_id}.ogg"), AudioSet: new AudioSetOptions("audio/Y{ytid}.flac"));

    private static readonly (string Test, string Dataset, string Item, string Id)[] IdMatches =
    [
        ("1-100038-A-0.wav", "fsd50k", "100038", "100038"),
        ("3-155000-A-0.wav", "clotho", "forest.wav", "155000"),
        ("300002-0-0-0.wav", "fsd50k", "300002", "300002"),
    ];

    /// <summary>Planted copies: test clip, dataset, item, offset in seconds (what the script planted).</summary>
    private static readonly (string Test, string Dataset, string Item, double Offset)[] ContentMatches =
    [
        ("1-100038-A-0.wav", "audioset", "planted4800", 0.61), // 48 kHz stereo FLAC, -3 dB
        ("1-100038-A-0.wav", "fsd50k", "300001", 1.37),        // 44.1 kHz WAV, -9 dB
        ("1-100210-A-1.wav", "clotho", "market.mp3", 1.05),    // 32 kHz, +3 dB, MP3 128 kb/s
        ("2-100400-A-2.wav", "audiocaps", "ZZoggZZoggZ", 0.50), // Ogg Vorbis 128 kb/s
    ];

    [Fact]
    public void FindsTheIdMatchesAndSaysWhichDatasetsCarryNoUsableId()
    {
        var r = OverlapFinder.Find(Options(null, content: false));
        Assert.Equal(IdMatches.OrderBy(m => m.Test, StringComparer.Ordinal),
            r.Matches.Select(m => (m.Test, m.Dataset, m.Item, m.SourceId!)));
        Assert.All(r.Matches, m => Assert.Equal(OverlapMethod.Id, m.Method));
        Assert.Equal(new OverlapTestSummary(4, 4, 2, 0), r.Summary.Tests["esc50"]);
        Assert.Equal(2, r.Summary.Training["fsd50k"].IdMatchedItems);
        Assert.Contains("none in the test sets", r.Summary.Training["audiocaps"].Note);
        Assert.Contains(r.Summary.Notes, n => n.Contains("no YouTube ids"));
    }

    [Fact]
    public void FindsEveryPlantedCopyByContentWithItsOffsetAndNoNearMiss()
    {
        using var tmp = Fixtures.TempDir();
        var r = OverlapFinder.Find(Options(tmp.Path, content: true));
        var content = r.Matches.Where(m => m.Method == OverlapMethod.Content).ToArray();
        string found = string.Join("; ", content.Select(m => $"{m.Test} in {m.Dataset}/{m.Item} at {m.OffsetSeconds} score {m.Score}"));
        Assert.True(content.Length == ContentMatches.Length, found);
        foreach (var (e, m) in ContentMatches.Zip(content))
        {
            Assert.Equal((e.Test, e.Dataset, e.Item), (m.Test, m.Dataset, m.Item));
            // One STFT hop is 23 ms; MP3 adds the coder's delay (~35 ms at 32 kHz).
            Assert.True(Math.Abs(m.OffsetSeconds!.Value - e.Offset) <= 0.06, found);
            Assert.True(m.Score > 0.2, found);
        }
        Assert.Equal(IdMatches.Length, r.Matches.Count(m => m.Method == OverlapMethod.Id));
        Assert.Empty(r.Problems);

        var doc = JsonNode.Parse(File.ReadAllText(tmp.File("overlap.json")))!;
        Assert.Equal(7, doc["matches"]!.AsArray().Count);
        var exclude = JsonNode.Parse(File.ReadAllText(tmp.File("exclude.json")))!;
        Assert.Equal(["100038", "155000", "300001", "300002", "400001"],
            exclude["FreeSound"]!.AsArray().Select(n => (string)n!).ToArray());
        Assert.Equal(["ZZoggZZoggZ", "planted4800"], exclude["AudioSet"]!.AsArray().Select(n => (string)n!).ToArray());

        // A second run reads every fingerprint from the cache and finds the same.
        var again = OverlapFinder.Find(Options(tmp.Path, content: true));
        Assert.Equal(r.Summary.Fingerprinted, again.Summary.FromCache);
        Assert.Equal(r.Matches, again.Matches);
    }

    [Fact]
    public void AClipIsFoundInItselfAfterGainResamplingAndDownMixing()
    {
        var clip = AudioDecoder.Decode(Path.Combine(Dir("esc50"), "audio", "1-100210-A-1.wav"));
        var o = new FingerprintOptions();
        var shifted = Enumerable.Range(0, o.Shifts).Select(k => LandmarkFingerprinter.Compute(clip, o, "clip", k)).ToArray();
        var index = new LandmarkIndex([shifted], o);
        // 0.25x gain, resampled to 48 kHz, written as two unequal channels, behind 0.8 s of quiet noise.
        var up = Resampler.Resample(clip.Channels[0], 44100, 48000);
        var rng = new Random(7);
        int lead = (int)(0.8 * 48000);
        var left = new float[lead + up.Length];
        var right = new float[left.Length];
        for (int i = 0; i < left.Length; i++)
        {
            float noise = (float)(0.002 * (rng.NextDouble() - 0.5));
            float s = i >= lead ? 0.25f * up[i - lead] : 0f;
            (left[i], right[i]) = (1.2f * s + noise, 0.8f * s - noise);
        }
        var hits = index.Match(LandmarkFingerprinter.Compute(new DecodedAudio([left, right], 48000), o, "host"));
        var hit = Assert.Single(hits);
        Assert.InRange(hit.OffsetFrames * o.FrameSeconds, 0.8 - 0.03, 0.8 + 0.03);
        Assert.True(hit.Score > 0.5, $"score {hit.Score}");
    }

    [Fact]
    public void WithoutSubHopShiftsAHalfHopOffsetLosesMostLandmarks()
    {
        // Why the test clips are indexed at several shifts: the same copy, 0.8 s (34.45 hops) in.
        var clip = AudioDecoder.Decode(Path.Combine(Dir("esc50"), "audio", "1-100210-A-1.wav"));
        var o = new FingerprintOptions(MinMatches: 1, MinFraction: 0);
        int lead = (int)(0.8 * 44100);
        var host = new float[lead + clip.Frames];
        clip.Channels[0].CopyTo(host, lead);
        var print = LandmarkFingerprinter.Compute(new DecodedAudio([host], 44100), o, "host");
        var single = new LandmarkIndex([LandmarkFingerprinter.Compute(clip, o, "clip")], o).Match(print);
        var shifted = new LandmarkIndex([Enumerable.Range(0, o.Shifts).Select(k => LandmarkFingerprinter.Compute(clip, o, "clip", k)).ToArray()], o)
            .Match(print);
        Assert.True(single.Single().Score < 0.2, $"single grid: {single.Single().Score}");
        Assert.True(shifted.Single().Score > 0.6, $"four shifts: {shifted.Single().Score}");
    }

    [Fact]
    public void ReadsAWavCapsBlacklistAndPrepareRemovesAndCountsItsItems()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("blacklist.json"),
            """{"FreeSound": ["155000", 300001], "AudioSet": ["YZZoggZZoggZ.wav"], "BBC_Sound_Effects": ["07070001"]}""");
        var list = ExclusionList.Read(tmp.File("blacklist.json"));
        Assert.Equal(["155000", "300001"], list.Freesound.Order().ToArray());
        Assert.Equal(["ZZoggZZoggZ"], list.YouTube.ToArray());
        Assert.Equal(["BBC_Sound_Effects"], list.IgnoredKeys);

        var r = ManifestBuilder.Build(new ManifestBuildOptions(tmp.File("m"), ClothoDir: Dir("clotho"), Fsd50kDir: Dir("fsd50k"),
            AudioCapsDir: Dir("audiocaps"), AudioCaps: new AudioCapsOptions("audio/{youtube_id}.ogg"),
            ExcludeFile: tmp.File("blacklist.json")));
        // clotho forest.wav (5 captions), fsd50k 300001 (1 pair), audiocaps ZZoggZZoggZ (1 pair).
        Assert.Equal(new PairAudioCount(7, 3), r.Excluded!.Removed);
        Assert.Equal(new PairAudioCount(5, 1), r.Excluded.ByDataset["clotho"]);
        Assert.Equal(10 + 2 + 0, r.Train.Count + r.Val.Count);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("m"), "summary.json")))!;
        Assert.Equal(7, (int)summary["excluded"]!["removed"]!["pairs"]!);
    }

    [Fact]
    public void UrbanSound8KReadsAsAZeroShotTestSetWithItsFoldsAndClassIDs()
    {
        var d = LabelledTestSets.UrbanSound8k(Dir("urbansound8k"));
        Assert.Equal(["air conditioner", "car horn", "children playing", "dog bark"], d.ClassNames);
        var item = Assert.Single(d.Items); // five rows, four without audio
        Assert.Equal((3, 3, "dog bark"), (item.Fold, item.Target, item.Category));
        Assert.Equal(4, d.MissingAudio);
        Assert.Equal(["this is a sound of air conditioner"], d.Prompts().Take(1));
        Assert.Throws<ClapAuditException>(() => LabelledTestSets.UrbanSound8k(Dir("urbansound8k"), [11]));
    }

    [Fact]
    public void ABlacklistThatIsNotAnObjectOfListsIsRefusedNamingTheFile()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("bad.json"), """{"FreeSound": "155000"}""");
        var e = Assert.Throws<ClapAuditException>(() => ExclusionList.Read(tmp.File("bad.json")));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("FreeSound", e.Message);
    }
}
