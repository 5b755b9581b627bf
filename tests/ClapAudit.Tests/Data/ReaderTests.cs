using ClapAudit.Common;
using ClapAudit.Data;

namespace ClapAudit.Tests.Data;

/// <summary>Each reader against the hand-written fixture folders (tools/make_dataset_fixtures.py); expected values counted by hand.</summary>
public class ReaderTests
{
    [Fact]
    public void ClothoReadsAllSplitsWithQuotedCommasAccentsAndReportsProblemsWithLines()
    {
        var r = ClothoReader.Read(DataFixtures.Clotho);
        // forest 5 + cafe 5 + dogs 5 + "empty caption" 4 (one empty) + night 5 + street 5.
        Assert.Equal(29, r.Pairs.Count);
        Assert.Equal(6, r.AudioCount);
        Assert.Equal(5, r.MissingAudioPairs);
        Assert.Equal(1, r.MissingAudioFiles);
        Assert.Contains(r.Pairs, p => p.Caption == "Quiet nature ambience, with distant voices" && p.Id == "forest.wav#3");
        Assert.Contains(r.Pairs, p => p.Caption == "People talk in a café, glasses clink" && p.Id == "cafe scene.wav#1");
        Assert.All(r.Pairs, p => Assert.True(Path.IsPathRooted(p.AudioPath) && File.Exists(p.AudioPath), p.AudioPath));
        Assert.Equal(Path.Combine(DataFixtures.Clotho, "validation", "night.wav"), r.Pairs.First(p => p.Id == "night.wav#1").AudioPath);
        var csv = Path.Combine(DataFixtures.Clotho, "clotho_captions_development.csv");
        Assert.Equal(
            [$"{csv}:5: audio file missing: development/missing.wav",
             $"{csv}:6: duplicate file_name 'forest.wav'; row skipped",
             $"{csv}:7: empty caption_3 for 'empty caption.wav'; pair skipped"],
            r.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void ClothoSplitSelectionReadsOnlyTheNamedSplits()
    {
        var r = ClothoReader.Read(DataFixtures.Clotho, new ClothoOptions(["validation", "evaluation"]));
        Assert.Equal(["night.wav", "street.wav"], r.Pairs.Select(p => Path.GetFileName(p.AudioPath)).Distinct());
        var e = Assert.Throws<ClapAuditException>(() => ClothoReader.Read(DataFixtures.Clotho, new ClothoOptions(["train"])));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
    }

    [Fact]
    public void AudioCapsReadsOnePairPerRowAndCountsMissingAudio()
    {
        var r = AudioCapsReader.Read(DataFixtures.AudioCaps);
        Assert.Equal(13, r.Pairs.Count); // train 3 with audio, val 5, test 5
        Assert.Equal(5, r.AudioCount);
        Assert.Equal(1, r.MissingAudioPairs);
        Assert.Equal("Multiple clanging and clanking sounds, then a man speaks", r.Pairs.Single(p => p.Id == "58146").Caption);
        Assert.Equal(Path.Combine(DataFixtures.AudioCaps, "audio", "UDGBjjwyaqE.wav"), r.Pairs.Single(p => p.Id == "58146").AudioPath);
        var csv = Path.Combine(DataFixtures.AudioCaps, "train.csv");
        Assert.Equal(
            [$"{csv}:4: audio file missing: audio/gone123abcd.wav",
             $"{csv}:6: empty caption (audiocap_id 58147); row skipped",
             $"{csv}:7: duplicate audiocap_id '58146'; row skipped"],
            r.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void AudioCapsFilePatternFindsAnotherDownloadersNames()
    {
        var r = AudioCapsReader.Read(DataFixtures.AudioCaps, new AudioCapsOptions("flac/Y{youtube_id}.flac", ["train"]));
        Assert.Equal(["91139", "58146"], r.Pairs.Select(p => p.Id));
        Assert.Equal(Path.Combine(DataFixtures.AudioCaps, "flac", "Yr1nicOVtvkQ.flac"), r.Pairs[0].AudioPath);
        Assert.Equal(2, r.MissingAudioPairs); // gone123abcd and bAbAbAbAbAb have no flac
        Assert.Equal("audio/r1nicOVtvkQ_130.wav", AudioCapsReader.Expand("audio/{youtube_id}_{start_time}.wav", "r1nicOVtvkQ", "130", "91139", "train"));
        Assert.Equal("val/x.wav", AudioCapsReader.Expand("{split}/{youtube_id}.wav", "x", "0", "1", "val"));
    }

    [Fact]
    public void Fsd50kMakesLAIONStyleCaptionsFromLabels()
    {
        var r = Fsd50kReader.Read(DataFixtures.Fsd50k);
        Assert.Equal(["64760", "16399", "21201", "37199", "21001"], r.Pairs.Select(p => p.Id));
        Assert.Equal("The sounds of Electric guitar, Guitar, Plucked string instrument, Musical instrument and Music", r.Pairs[0].Caption);
        Assert.Equal("The sounds of Typing and Computer keyboard", r.Pairs[3].Caption);
        Assert.Equal(Path.Combine(DataFixtures.Fsd50k, "FSD50K.eval_audio", "37199.wav"), r.Pairs[3].AudioPath);
        Assert.Equal(1, r.MissingAudioPairs);
        Assert.Equal("Dog", Fsd50kReader.JoinLabels(["Dog"]));
        Assert.Equal("a sound of x", Fsd50kReader.Caption(["x"], "a sound of {labels}"));
        var train = Fsd50kReader.Read(DataFixtures.Fsd50k, new Fsd50kOptions(Splits: ["train"]));
        Assert.Equal(["64760", "16399"], train.Pairs.Select(p => p.Id));
    }

    [Fact]
    public void MacsReadsEveryAnnotationOfTheYaml()
    {
        var r = MacsReader.Read(DataFixtures.Macs);
        Assert.Equal(["airport-lisbon-1000-40000-a.wav#1", "airport-lisbon-1000-40000-a.wav#2", "airport-lisbon-1000-40000-a.wav#3",
                      "street_traffic-lyon-1161-44120-a.wav#1", "street_traffic-lyon-1161-44120-a.wav#2", "metro_station-paris-6-299-a.wav#2"],
            r.Pairs.Select(p => p.Id));
        Assert.Equal("Voices echo in a large hall: café, shops", r.Pairs[2].Caption);
        Assert.Equal(Path.Combine(DataFixtures.Macs, "audio", "airport-lisbon-1000-40000-a.wav"), r.Pairs[0].AudioPath);
        Assert.Equal(2, r.MissingAudioPairs);
        var yaml = Path.Combine(DataFixtures.Macs, "MACS.yaml");
        Assert.Equal(
            [$"{yaml}:28: audio file missing: audio/park-helsinki-241-7192-a.wav",
             $"{yaml}:38: empty or missing 'sentence' (annotation 1 of 'metro_station-paris-6-299-a.wav'); pair skipped",
             $"{yaml}:45: duplicate filename 'airport-lisbon-1000-40000-a.wav'; skipped"],
            r.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Esc50ClassNamesInTargetOrderPromptsAndFolds()
    {
        var d = Esc50Reader.Read(DataFixtures.Esc50);
        Assert.Equal(DataFixtures.Esc50Categories, d.RawCategories);
        Assert.Equal("door wood knock", d.ClassNames[30]);
        Assert.Equal("this is a sound of door wood knock", d.Prompts()[30]);
        Assert.Equal("a dog", d.Prompts("a {class}")[0]);
        Assert.Equal(["1-100000-A-0.wav", "2-100037-A-1.wav", "1-100370-A-10.wav", "2-118072-A-0.wav"], d.Items.Select(i => i.FileName));
        Assert.Equal(47, d.MissingAudio);
        var rooster = d.Items[1];
        Assert.Equal((2, 1, "rooster", true), (rooster.Fold, rooster.Target, rooster.Category, rooster.Esc10));
        Assert.Contains(d.Problems, p => p.Line == 53 && p.Message.Contains("duplicate filename '2-118072-A-0.wav'"));
        var fold1 = Esc50Reader.Read(DataFixtures.Esc50, new Esc50Options([1]));
        Assert.Equal(["1-100000-A-0.wav", "1-100370-A-10.wav"], fold1.Items.Select(i => i.FileName));
        Assert.Equal(50, fold1.ClassNames.Count);
    }

    [Fact]
    public void AudioSetReadsHashHeadersCommaSpaceFieldsAndQuotedLabels()
    {
        var d = AudioSetReader.Read(DataFixtures.AudioSet);
        Assert.Equal("Male speech, man speaking", d.Ontology.ByMid("/m/05zppz")!.DisplayName);
        Assert.Equal(17, d.Ontology.Classes.Count);
        // balanced_train (5 rows, one missing audio) then eval (3 rows, one duplicate), files in name order.
        Assert.Equal(["--PJHxphWEs", "--ZhevVpy1s", "--aE2O5G5WE", "--aO5cdqSAg", "-0DdlOuIFUI", "-0O3e95y4gE"], d.Clips.Select(c => c.YtId));
        var first = d.Clips[0];
        Assert.Equal((30.0, 40.0), (first.Start, first.End));
        Assert.Equal(["/m/09x0r"], first.Mids); // /t/dd00088 is not in the fixture's class list
        Assert.Equal(["/m/0bt9lr", "/m/05tny_", "/m/0jbk"], d.Clips[2].Mids);
        Assert.Equal(Path.Combine(DataFixtures.AudioSet, "audio", "Y--PJHxphWEs.wav"), first.AudioPath);
        Assert.Equal(1, d.MissingAudio);
        var bal = Path.Combine(DataFixtures.AudioSet, "balanced_train_segments.csv");
        var eval = Path.Combine(DataFixtures.AudioSet, "eval_segments.csv");
        Assert.Equal(
            [$"{bal}:4: unknown label '/t/dd00088' (not in class_labels_indices.csv); label dropped",
             $"{bal}:8: audio file missing: audio/Y--missing01.wav",
             $"{eval}:6: duplicate segment -0DdlOuIFUI at 50.000 s; row skipped"],
            d.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void AMissingColumnIsFatalAndNamesFileAndLine()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("train.csv"), "audiocap_id,youtube_id,caption\n1,abc,\"a, b\"\n");
        var e = Assert.Throws<ClapAuditException>(() => AudioCapsReader.Read(tmp.Path, new AudioCapsOptions(Splits: ["train"])));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.StartsWith($"{tmp.File("train.csv")}:1: missing column 'start_time'", e.Message);
    }

    [Fact]
    public void UnreadableCsvAndBadSegmentHeaderAreFatalWithFileAndLine()
    {
        using var tmp = Fixtures.TempDir();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "meta"));
        File.WriteAllText(Path.Combine(tmp.Path, "meta", "esc50.csv"), "filename,fold,target,category,esc10\na.wav,1,x,dog,True\n");
        var e = Assert.Throws<ClapAuditException>(() => Esc50Reader.Read(tmp.Path));
        Assert.Contains("esc50.csv:2: target 'x'", e.Message);

        File.WriteAllText(tmp.File("class_labels_indices.csv"), "index,mid,display_name\n0,/m/09x0r,\"Speech\"\n");
        File.WriteAllText(tmp.File("eval_segments.csv"), "YTID, start_seconds, end_seconds, positive_labels\nabc, 0.000, 10.000, \"/m/09x0r\"\n");
        var e2 = Assert.Throws<ClapAuditException>(() => AudioSetReader.Read(tmp.Path));
        Assert.Equal(ErrorKind.InvalidData, e2.Kind);
        Assert.Contains("eval_segments.csv:1: expected three '#' comment lines", e2.Message);
    }

    [Fact]
    public void AFolderWithoutAnyCaptionsFileIsNotFound()
    {
        using var tmp = Fixtures.TempDir();
        var e = Assert.Throws<ClapAuditException>(() => ClothoReader.Read(tmp.Path));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("clotho_captions_development.csv", e.Message);
    }

    [Fact]
    public void TheAudioIndexAnswersFromOneListingAndCanBeSwitchedOff()
    {
        var index = new AudioFileIndex();
        Assert.True(index.Exists(Path.Combine(DataFixtures.Clotho, "development", "cafe scene.wav")));
        Assert.False(index.Exists(Path.Combine(DataFixtures.Clotho, "development", "missing.wav")));
        Assert.False(index.Exists(Path.Combine(DataFixtures.Clotho, "no such folder", "x.wav")));
        Assert.True(new AudioFileIndex(checkExistence: false).Exists("/no/such/file.wav"));
    }
}
