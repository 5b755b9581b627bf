#pragma warning disable CS1573 // records document only the parameters that need a word
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>What the validation set is drawn from.</summary>
public enum SplitBy
{
    /// <summary>Pairs at random (the paper's split): captions of one audio file may fall on both sides.</summary>
    Pair,
    /// <summary>Audio files at random, with all of their captions: no audio on both sides.</summary>
    Audio,
}

/// <summary>Settings of the train/validation split.</summary>
/// <param name="ValFraction">Share of pairs for validation (the paper: 20%).</param>
public sealed record SplitOptions(double ValFraction = 0.2, int Seed = 0, SplitBy By = SplitBy.Pair)
{
    internal void Validate() => Guard.InRange(ValFraction, 0, 0.99, nameof(ValFraction));
}

/// <param name="StraddlingAudio">Audio files with pairs on both sides (always 0 with <see cref="SplitBy.Audio"/>).</param>
public sealed record SplitResult(IReadOnlyList<AudioTextPair> Train, IReadOnlyList<AudioTextPair> Val, int StraddlingAudio);

/// <summary>
/// The seeded random train/validation split. The shuffle uses <see cref="SplitMix64"/> (not
/// <see cref="Random"/>, whose seeded sequence .NET does not promise to keep across major versions),
/// and the input order is the readers' fixed file order, so a seed gives the same split everywhere.
/// Both outputs keep the input order.
/// </summary>
public static class DatasetSplitter
{
    public static SplitResult Split(IReadOnlyList<AudioTextPair> pairs, SplitOptions? options = null)
    {
        options ??= new SplitOptions();
        options.Validate();
        int n = pairs.Count;
        int target = (int)Math.Round(n * options.ValFraction, MidpointRounding.AwayFromZero);
        var rng = new SplitMix64((ulong)(uint)options.Seed);
        var isVal = new bool[n];
        if (options.By == SplitBy.Pair)
        {
            var order = Permutation(n, rng);
            for (int i = 0; i < target; i++) isVal[order[i]] = true;
        }
        else
        {
            // Audio files in first-appearance order, shuffled; take whole audio files until the
            // validation side holds the target number of pairs (it may overshoot by one file's captions).
            var audioIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var members = new List<List<int>>();
            for (int i = 0; i < n; i++)
            {
                if (!audioIndex.TryGetValue(pairs[i].AudioPath, out int a)) { audioIndex[pairs[i].AudioPath] = a = members.Count; members.Add([]); }
                members[a].Add(i);
            }
            int taken = 0;
            foreach (int a in Permutation(members.Count, rng))
            {
                if (taken >= target) break;
                foreach (int i in members[a]) isVal[i] = true;
                taken += members[a].Count;
            }
        }
        var train = new List<AudioTextPair>(n - target);
        var val = new List<AudioTextPair>(target);
        for (int i = 0; i < n; i++) (isVal[i] ? val : train).Add(pairs[i]);
        return new SplitResult(train, val, Straddling(train, val));
    }

    /// <summary>Audio files that have pairs in both lists.</summary>
    public static int Straddling(IReadOnlyList<AudioTextPair> train, IReadOnlyList<AudioTextPair> val)
    {
        var trainAudio = new HashSet<string>(train.Select(p => p.AudioPath), StringComparer.Ordinal);
        return val.Select(p => p.AudioPath).Distinct(StringComparer.Ordinal).Count(trainAudio.Contains);
    }

    private static int[] Permutation(int n, SplitMix64 rng)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
