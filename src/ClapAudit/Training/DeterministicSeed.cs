namespace ClapAudit.Training;

/// <summary>
/// Seeds derived from (seed, a, b) by SplitMix64, the same in every process (unlike
/// HashCode.Combine), so shuffles, crops and dropout depend on the seed and position only, never
/// on worker timing or on where a run was interrupted.
/// </summary>
public static class DeterministicSeed
{
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Derive(long seed, long a, long b = 0, long c = 0) =>
        Mix(Mix(Mix(Mix((ulong)seed) ^ (ulong)a) ^ (ulong)b) ^ (ulong)c);

    /// <summary>A System.Random seeded from (seed, a, b, c).</summary>
    public static Random Random(long seed, long a, long b = 0, long c = 0) => new((int)(Derive(seed, a, b, c) & 0x7FFFFFFF));

    /// <summary>A torch.manual_seed value from (seed, a, b).</summary>
    public static long Torch(long seed, long a, long b = 0) => (long)(Derive(seed, a, b, 0x70C4) & 0x7FFFFFFFFFFFUL);
}
