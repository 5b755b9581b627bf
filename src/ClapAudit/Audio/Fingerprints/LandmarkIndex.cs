#pragma warning disable CS1573 // records document only the parameters that need a word
namespace ClapAudit.Audio.Fingerprints;

/// <summary>One test clip found inside a recording: at <see cref="OffsetFrames"/> frames into it.</summary>
/// <param name="Score">Aligned landmarks / the test clip's landmarks (capped at 1).</param>
public sealed record LandmarkMatch(int Test, int OffsetFrames, int Aligned, double Score);

/// <summary>
/// The landmarks of the (small) test set in a table from hash to (test clip, frame), compressed-row style:
/// 2^20 offsets plus one posting per landmark, so the large training set streams past it and never has to
/// be held. Matching one recording costs O(its landmarks x postings per hash) and O(votes) memory.
/// </summary>
public sealed class LandmarkIndex
{
    private readonly int[] _start;
    private readonly int[] _test;
    private readonly int[] _time;
    private readonly int[] _landmarks;
    private readonly FingerprintOptions _options;

    /// <summary>One fingerprint per test clip.</summary>
    public LandmarkIndex(IReadOnlyList<Fingerprint> tests, FingerprintOptions options)
        : this(tests.Select(t => (IReadOnlyList<Fingerprint>)[t]).ToArray(), options) { }

    /// <summary>
    /// Per test clip, its fingerprints at each sub-hop shift (<see cref="FingerprintOptions.Shifts"/>; index 0
    /// unshifted).
    /// Their landmarks are pooled without duplicates; a clip's landmark count, the score's denominator, is shift 0's.
    /// </summary>
    public LandmarkIndex(IReadOnlyList<IReadOnlyList<Fingerprint>> tests, FingerprintOptions options)
    {
        _options = options;
        var lists = new (int[] Hashes, int[] Times)[tests.Count];
        _landmarks = new int[tests.Count];
        for (int i = 0; i < tests.Count; i++)
        {
            var pooled = new HashSet<(int, int)>();
            for (int s = 0; s < tests[i].Count; s++)
            {
                var (h, t) = tests[i][s].Landmarks(options);
                if (s == 0) _landmarks[i] = h.Length;
                for (int k = 0; k < h.Length; k++) pooled.Add((h[k], t[k]));
            }
            var ordered = pooled.Order().ToArray();
            lists[i] = (ordered.Select(p => p.Item1).ToArray(), ordered.Select(p => p.Item2).ToArray());
        }
        var counts = new int[Fingerprint.HashSpace + 1];
        foreach (var (hashes, _) in lists) foreach (var h in hashes) counts[h + 1]++;
        for (int h = 0; h < Fingerprint.HashSpace; h++) counts[h + 1] += counts[h];
        _start = counts;
        int total = counts[Fingerprint.HashSpace];
        _test = new int[total];
        _time = new int[total];
        var fill = (int[])_start.Clone();
        for (int i = 0; i < lists.Length; i++)
        {
            var (hashes, times) = lists[i];
            for (int k = 0; k < hashes.Length; k++)
            {
                int p = fill[hashes[k]]++;
                _test[p] = i;
                _time[p] = times[k];
            }
        }
    }

    /// <summary>Landmarks of test clip <paramref name="test"/>.</summary>
    public int LandmarkCount(int test) => _landmarks[test];

    public int TestCount => _landmarks.Length;

    /// <summary>
    /// Test clips that occur in <paramref name="recording"/>: votes for (test, frame offset), each offset's
    /// count summed with its two neighbours (a sub-hop shift puts a landmark one frame early or late), the best
    /// offset per test kept when it reaches <see cref="FingerprintOptions.MinMatches"/> and
    /// <see cref="FingerprintOptions.MinFraction"/> of the test clip's landmarks.
    /// </summary>
    public IReadOnlyList<LandmarkMatch> Match(Fingerprint recording)
    {
        var (hashes, times) = recording.Landmarks(_options);
        var votes = new Dictionary<long, int>();
        for (int k = 0; k < hashes.Length; k++)
        {
            int h = hashes[k];
            for (int p = _start[h]; p < _start[h + 1]; p++)
            {
                long key = (long)_test[p] << 32 | (uint)(times[k] - _time[p]);
                votes[key] = votes.GetValueOrDefault(key) + 1;
            }
        }
        var best = new Dictionary<int, LandmarkMatch>();
        foreach (var (key, _) in votes)
        {
            int test = (int)(key >> 32), offset = (int)(uint)key;
            int aligned = votes.GetValueOrDefault(key) + votes.GetValueOrDefault(Key(test, offset - 1))
                        + votes.GetValueOrDefault(Key(test, offset + 1));
            if (aligned < _options.MinMatches) continue;
            double score = Math.Min(1.0, (double)aligned / Math.Max(1, _landmarks[test]));
            if (score < _options.MinFraction) continue;
            // Ties: the larger raw count, then the earlier offset, so the answer does not depend on hash order.
            if (best.TryGetValue(test, out var b) && (b.Aligned > aligned || (b.Aligned == aligned && b.OffsetFrames < offset)))
                continue;
            best[test] = new LandmarkMatch(test, offset, aligned, score);
        }
        return best.Values.OrderBy(m => m.Test).ToArray();
    }

    private static long Key(int test, int offset) => (long)test << 32 | (uint)offset;
}
