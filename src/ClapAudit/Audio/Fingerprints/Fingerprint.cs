namespace ClapAudit.Audio.Fingerprints;

/// <summary>
/// The spectral peaks of one recording: each packed as <c>frame &lt;&lt; 8 | bin</c>, sorted by frame then bin.
/// Landmarks (peak pairs) are derived from them on demand, so the cache stores only the peaks.
/// </summary>
public sealed record Fingerprint(int Frames, int[] Peaks)
{
    public static int FrameOf(int peak) => peak >> 8;
    public static int BinOf(int peak) => peak & 0xFF;

    /// <summary>
    /// Wang's landmarks: each peak (t1, f1) paired with the next <see cref="FingerprintOptions.FanOut"/> peaks
    /// (t2, f2) with 1 &lt;= t2 - t1 &lt;= MaxDeltaFrames and |f2 - f1| &lt;= MaxDeltaBins, hashed as
    /// f1 (8 bits) | f2 - f1 (6 bits) | t2 - t1 (6 bits), audfprint's layout. Returns the hashes and their t1.
    /// O(peaks x peaks in a target zone).
    /// </summary>
    public (int[] Hashes, int[] Times) Landmarks(FingerprintOptions o)
    {
        var hashes = new List<int>(Peaks.Length * o.FanOut);
        var times = new List<int>(Peaks.Length * o.FanOut);
        for (int i = 0; i < Peaks.Length; i++)
        {
            int t1 = FrameOf(Peaks[i]), f1 = BinOf(Peaks[i]), made = 0;
            for (int j = i + 1; j < Peaks.Length && made < o.FanOut; j++)
            {
                int dt = FrameOf(Peaks[j]) - t1;
                if (dt < 1) continue;
                if (dt > o.MaxDeltaFrames) break;
                int df = BinOf(Peaks[j]) - f1;
                if (Math.Abs(df) > o.MaxDeltaBins) continue;
                hashes.Add(f1 << 12 | (df & 63) << 6 | dt);
                times.Add(t1);
                made++;
            }
        }
        return (hashes.ToArray(), times.ToArray());
    }

    /// <summary>Number of distinct hash values (20 bits).</summary>
    public const int HashSpace = 1 << 20;
}
