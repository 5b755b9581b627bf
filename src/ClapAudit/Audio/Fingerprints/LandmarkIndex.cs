#pragma warning disable CS1573 // records document only the parameters that need a word
namespace ClapAudit.Audio.Fingerprints;

/// <summary>One test clip found inside a recording: at <see cref="OffsetFrames"/> frames into it.</summary>
/// <param name="Score">Aligned landmarks / the test clip's landmarks (capped at 1).</param>
public sealed record LandmarkMatch(int Test, int OffsetFrames, int Aligned, double Score);

/// <summary>
/// The landmarks of the (small) test set in a table from hash to (test clip, frame), compressed-row style:
/// 2^20 offsets plus one posting per landmark, so the large training set streams past it and never has to
/// be held. Matching one recording costs O(its landmarks x postings per hash) plus sorting the votes of the clips
/// that can still match, and O(test clips + those votes) memory.
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
        // Two passes instead of one dictionary of (test, offset) votes, which cost tens of milliseconds a recording
        // against 1,000 test clips. First each test clip's hits in a plain array: a clip's aligned votes (one offset
        // and its two neighbours) cannot exceed its hits, so a clip whose hits miss MinMatches or MinFraction cannot
        // match, exactly. Then the offsets of the clips that can, sorted and counted.
        var hits = new int[_landmarks.Length];
        for (int k = 0; k < hashes.Length; k++)
        {
            int h = hashes[k];
            for (int p = _start[h]; p < _start[h + 1]; p++) hits[_test[p]]++;
        }
        List<int>?[]? offsets = null;
        for (int test = 0; test < hits.Length; test++)
        {
            if (!CanMatch(test, hits[test])) continue;
            offsets ??= new List<int>?[hits.Length];
            offsets[test] = new List<int>(hits[test]);
        }
        if (offsets is null) return [];
        for (int k = 0; k < hashes.Length; k++)
        {
            int h = hashes[k];
            for (int p = _start[h]; p < _start[h + 1]; p++)
                offsets[_test[p]]?.Add(times[k] - _time[p]);
        }
        var found = new List<LandmarkMatch>();
        for (int test = 0; test < offsets.Length; test++)
        {
            if (offsets[test] is not { } list) continue;
            list.Sort();
            LandmarkMatch? best = null;
            // Runs of equal offsets, ascending; a run's aligned count adds the runs at offset - 1 and offset + 1.
            int previousOffset = 0, previousCount = 0;
            for (int i = 0; i < list.Count;)
            {
                int offset = list[i], j = i;
                while (j < list.Count && list[j] == offset) j++;
                int count = j - i;
                int before = previousCount > 0 && previousOffset == offset - 1 ? previousCount : 0;
                int k2 = j;
                while (k2 < list.Count && list[k2] == offset + 1) k2++;
                int aligned = before + count + (k2 - j);
                double score = Math.Min(1.0, (double)aligned / Math.Max(1, _landmarks[test]));
                // Ties: the larger count, then the earlier offset (runs come in ascending order), as before.
                if (aligned >= _options.MinMatches && score >= _options.MinFraction && (best is null || aligned > best.Aligned))
                    best = new LandmarkMatch(test, offset, aligned, score);
                (previousOffset, previousCount) = (offset, count);
                i = j;
            }
            if (best is not null) found.Add(best);
        }
        return found;
    }

    /// <summary>Whether <paramref name="hits"/> votes in all could reach both thresholds.</summary>
    private bool CanMatch(int test, int hits) =>
        hits >= _options.MinMatches && Math.Min(1.0, (double)hits / Math.Max(1, _landmarks[test])) >= _options.MinFraction;

}
