using ClapAudit.Common;
using ClapAudit.Data;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClapAudit.Tests.Data;

public class DatasetSplitterTests
{
    private static List<AudioTextPair> Pairs(int audio, int captionsEach) =>
        Enumerable.Range(0, audio).SelectMany(a => Enumerable.Range(0, captionsEach)
            .Select(k => new AudioTextPair("t", $"/a/{a}.wav", $"caption {a}.{k}", $"{a}#{k}"))).ToList();

    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        // Vigna's splitmix64.c with seed 0.
        var g = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, g.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, g.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, g.NextUInt64());
    }

    [Fact]
    public void Seed0OnTenPairsGivesTheSameSplitAsAPythonTranscription()
    {
        // Fisher-Yates with SplitMix64(0), j = (next >> 32) * (i + 1) >> 32, first two indices to val:
        // /usr/bin/python3 transcription (see docs/formats.md) gives [4, 9].
        var pairs = Pairs(10, 1);
        var s = DatasetSplitter.Split(pairs, new SplitOptions(0.2, 0));
        Assert.Equal(["4#0", "9#0"], s.Val.Select(p => p.Id));
    }

    [Fact]
    public void PairSplitTakes20PercentOfPairsAndReportsStraddlingAudio()
    {
        var pairs = Pairs(200, 5);
        var s = DatasetSplitter.Split(pairs);
        Assert.Equal(200, s.Val.Count);
        Assert.Equal(800, s.Train.Count);
        Assert.Equal(DatasetSplitter.Straddling(s.Train, s.Val), s.StraddlingAudio);
        Assert.True(s.StraddlingAudio > 100); // with 5 captions each, most validation audio also has training captions
        Assert.Equal(pairs.Count, s.Train.Concat(s.Val).Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void AudioSplitKeepsAllCaptionsOfAnAudioOnOneSide()
    {
        var pairs = Pairs(200, 5);
        var s = DatasetSplitter.Split(pairs, new SplitOptions(By: SplitBy.Audio));
        Assert.Equal(0, s.StraddlingAudio);
        Assert.Equal(200, s.Val.Count); // 40 whole audio files of 5 captions
    }

    [Fact]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        var pairs = Pairs(300, 3);
        var a = DatasetSplitter.Split(pairs, new SplitOptions(Seed: 7));
        var b = DatasetSplitter.Split(pairs, new SplitOptions(Seed: 7));
        var c = DatasetSplitter.Split(pairs, new SplitOptions(Seed: 8));
        Assert.Equal(a.Val.Select(p => p.Id), b.Val.Select(p => p.Id));
        Assert.NotEqual(a.Val.Select(p => p.Id), c.Val.Select(p => p.Id));
    }

    [Property(MaxTest = 100)]
    public Property Split_is_a_partition_with_the_requested_share(PositiveInt n, NonNegativeInt seed, bool byAudio)
    {
        int count = n.Get % 500 + 1;
        var pairs = Enumerable.Range(0, count).Select(i => new AudioTextPair("t", $"/a/{i / 3}.wav", "c", i.ToString())).ToList();
        var s = DatasetSplitter.Split(pairs, new SplitOptions(0.2, seed.Get, byAudio ? SplitBy.Audio : SplitBy.Pair));
        int target = (int)Math.Round(count * 0.2, MidpointRounding.AwayFromZero);
        bool partition = s.Train.Count + s.Val.Count == count
            && s.Train.Concat(s.Val).Select(p => p.Id).Distinct().Count() == count;
        bool share = byAudio ? s.Val.Count >= target && s.Val.Count < target + 3 && s.StraddlingAudio == 0 : s.Val.Count == target;
        bool ordered = s.Val.Select(p => int.Parse(p.Id)).SequenceEqual(s.Val.Select(p => int.Parse(p.Id)).Order());
        return (partition && share && ordered).ToProperty();
    }
}
