using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Text;

namespace ClapAudit.Tests.Data;

/// <summary>The leakage filter against hand-computed expectations on the fixtures and on small lists.</summary>
public class LeakageFilterTests
{
    private static readonly ZeroShotTestSet Esc50 = Esc50Reader.Read(DataFixtures.Esc50, new Esc50Options(CheckAudio: false));

    private static List<AudioTextPair> AllFixturePairs() =>
    [
        .. ClothoReader.Read(DataFixtures.Clotho).Pairs,
        .. AudioCapsReader.Read(DataFixtures.AudioCaps).Pairs,
        .. Fsd50kReader.Read(DataFixtures.Fsd50k).Pairs,
        .. MacsReader.Read(DataFixtures.Macs).Pairs,
    ];

    [Fact]
    public void WordSetIsTheClassNamesSplitOnUnderscoresLowerCased()
    {
        var f = LeakageFilter.FromEsc50(Esc50);
        // 50 classes give 73 words; door, water and clock appear twice: 70 distinct.
        Assert.Equal(70, f.Words.Count);
        Assert.Equal(["dog", "rooster", "pig"], f.Words.Take(3));
        Assert.Contains("knock", f.Words);
        Assert.Contains("can", f.Words);
        Assert.Equal(["door", "wood", "knock"], LeakageFilter.WordsOf("Door_wood knock"));
    }

    [Fact]
    public void MatchingIsByWholeBasicTokenizerWord()
    {
        var f = LeakageFilter.FromEsc50(Esc50);
        Assert.Equal(["birds", "can"], f.MatchedWords("You can hear BIRDS, far away."));
        Assert.Equal(["dog"], f.MatchedWords("a dog-like noise"));           // '-' splits words
        Assert.Empty(f.MatchedWords("dogs barking; a doghouse"));             // no whole-word 'dog'
        var stem = LeakageFilter.FromEsc50(Esc50, new LeakageFilterOptions(WordMatch.Stem));
        Assert.Equal(["dog", "glass"], stem.MatchedWords("Dogs and glasses"));
        Assert.Equal(["sneezing"], stem.MatchedWords("someone sneezes"));
        Assert.Equal(["chirping", "birds"], stem.MatchedWords("a bird chirps"));
    }

    [Fact]
    public void FilterRemovesExactlyTheHandComputedAudioFilesFromTheFixtures()
    {
        var pairs = AllFixturePairs();
        var r = LeakageFilter.FromEsc50(Esc50).Filter(pairs);
        // Hand-computed: audio with any caption holding a class word (dog, water, insects/crickets, door, engine, rain, typing/keyboard, car/horn, train).
        string[] removedAudio =
        [
            "dogs.wav", "empty caption.wav", "night.wav",
            "r1nicOVtvkQ.wav", "bAbAbAbAbAb.wav", "vAlvAlvAl01.wav",
            "16399.wav", "21201.wav", "37199.wav",
            "street_traffic-lyon-1161-44120-a.wav", "metro_station-paris-6-299-a.wav",
        ];
        Assert.Equal(removedAudio, r.Removed.Select(p => Path.GetFileName(p.AudioPath)).Distinct());
        Assert.Equal(53, pairs.Count);
        Assert.Equal(27, r.Removed.Count);
        Assert.Equal(26, r.Kept.Count);
        Assert.Equal(new PairAudioCount(53, 19), r.Report.Before);
        Assert.Equal(new PairAudioCount(27, 11), r.Report.Removed);
        Assert.Equal(new PairAudioCount(26, 8), r.Report.After);
        // "dog": clotho dogs.wav (5 pairs, 2 captions with 'dog') and fsd50k 16399 (1 pair).
        var dog = r.Report.ByWord["dog"];
        Assert.Equal((2, 6, 2), (dog.Captions, dog.Pairs, dog.Audio));
        Assert.Equal(new PairAudioCount(5, 1), dog.ByDataset["clotho"]);
        Assert.Equal(new PairAudioCount(1, 1), dog.ByDataset["fsd50k"]);
        var cat = r.Report.ByWord["cat"];
        Assert.Equal((0, 0, 0), (cat.Captions, cat.Pairs, cat.Audio));
        Assert.Equal(new DatasetRemoval(new(29, 6), new(14, 3), new(15, 3)), r.Report.ByDataset["clotho"]);
        Assert.Equal(new DatasetRemoval(new(6, 3), new(3, 2), new(3, 1)), r.Report.ByDataset["macs"]);
        Assert.Equal(20, r.Report.TopRemovedCaptions.Count);
        Assert.Equal("A dog barks repeatedly", r.Report.TopRemovedCaptions[0].Caption); // all counts 1: ordinal order
    }

    [Fact]
    public void CleanPairsContainNoCaptionWithAClassWordInEitherMatchMode()
    {
        var pairs = AllFixturePairs();
        var words = DataFixtures.Esc50Categories.SelectMany(c => c.Split('_')).ToHashSet();
        var exact = LeakageFilter.FromEsc50(Esc50).Filter(pairs);
        foreach (var p in exact.Kept)
            Assert.DoesNotContain(BasicTokenizer.Uncased.Tokenize(p.Caption), t => words.Contains(t));
        // Every removed audio file has at least one caption with a class word.
        foreach (var g in exact.Removed.GroupBy(p => p.AudioPath))
            Assert.Contains(g, p => BasicTokenizer.Uncased.Tokenize(p.Caption).Any(words.Contains));

        var stem = LeakageFilter.FromEsc50(Esc50, new LeakageFilterOptions(WordMatch.Stem)).Filter(pairs);
        // Stem matching also catches "glasses" (glass) in the Clotho café scene: 5 more pairs, 1 more audio.
        Assert.Equal(exact.Removed.Count + 5, stem.Removed.Count);
        Assert.Contains(stem.Removed, p => p.AudioPath.EndsWith("cafe scene.wav"));
        Assert.Equal(1, stem.Report.ByWord["glass"].Audio);
    }

    [Fact]
    public void StopwordsExemptWordsAndACustomListReplacesTheClassWords()
    {
        var pairs = new List<AudioTextPair>
        {
            new("x", "/a/1.wav", "you can hear church bells", "1"),
            new("x", "/a/1.wav", "ringing", "2"),
            new("x", "/a/2.wav", "a can is opened", "3"),
            new("x", "/a/3.wav", "a motor hums", "4"),
        };
        var literal = LeakageFilter.FromEsc50(Esc50).Filter(pairs);
        Assert.Equal(["1", "2", "3"], literal.Removed.Select(p => p.Id));
        var exempt = LeakageFilter.FromEsc50(Esc50, new LeakageFilterOptions(Stopwords: ["can"])).Filter(pairs);
        Assert.Equal(["3", "4"], exempt.Kept.Select(p => p.Id)); // "opened" is not "opening" in exact mode
        Assert.DoesNotContain("can", exempt.Report.Words);
        var custom = LeakageFilter.FromEsc50(Esc50, new LeakageFilterOptions(Words: ["motor"])).Filter(pairs);
        Assert.Equal(["4"], custom.Removed.Select(p => p.Id));
        var e = Assert.Throws<ClapAuditException>(() => LeakageFilter.FromWords(["can"], new LeakageFilterOptions(Stopwords: ["can"])));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
    }

    [Fact]
    public void WordFilesReadWordsAndComments()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("w.txt"), "# exempt these\ncan\nHand_saw  # two words\n\n");
        Assert.Equal(["can", "hand", "saw"], LeakageFilterOptions.ReadWordFile(tmp.File("w.txt")));
    }

    [Fact]
    public void AudioSetFilterRemovesWordAndMappedLabels()
    {
        var data = AudioSetReader.Read(DataFixtures.AudioSet);
        var r = LeakageFilter.FromEsc50(Esc50).FilterAudioSet(data);
        // Dog (word dog), Moo (mapped from cow), "Vehicle horn, car horn, honking" (words car, horn).
        Assert.Equal(["--aE2O5G5WE", "--aO5cdqSAg", "-0DdlOuIFUI"], r.Removed.Select(c => c.YtId));
        Assert.Equal(["--PJHxphWEs", "--ZhevVpy1s", "-0O3e95y4gE"], r.Kept.Select(c => c.YtId));
        var moo = r.RemovedLabels.Single(l => l.DisplayName == "Moo");
        Assert.Empty(moo.Words);
        Assert.Equal(["cow"], moo.MappedFrom);
        Assert.Equal(1, moo.Clips);
        Assert.Equal(["car", "horn"], r.RemovedLabels.Single(l => l.Mid == "/m/0912c9").Words);
        Assert.Equal(["tick"], r.RemovedLabels.Single(l => l.DisplayName == "Tick-tock").Words);
        Assert.DoesNotContain(r.RemovedLabels, l => l.DisplayName is "Animal" or "Speech" or "Vehicle");
        // Exempting "cow" also drops its mapped labels.
        var noCow = LeakageFilter.FromEsc50(Esc50, new LeakageFilterOptions(Stopwords: ["cow"])).FilterAudioSet(data);
        Assert.Contains(noCow.Kept, c => c.YtId == "--aO5cdqSAg");
    }

    [Fact]
    public void TheCommittedMappingTableCovers48ClassesWithOntologyNames()
    {
        var map = Esc50AudioSetMap.Default;
        Assert.Equal(127, map.Entries.Count);
        Assert.Equal(48, map.Entries.Select(e => e.Category).Distinct().Count());
        Assert.All(map.Entries, e => Assert.Contains(e.Category, DataFixtures.Esc50Categories));
        Assert.Equal(["Cattle, bovinae", "Moo"], map.NamesFor("cow"));
        Assert.Equal(["Knock", "Door"], map.NamesFor("door wood knock"));
        Assert.Empty(map.NamesFor("can_opening"));
    }
}
