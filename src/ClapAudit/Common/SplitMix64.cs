namespace ClapAudit.Common;

/// <summary>
/// Vigna's SplitMix64 generator, the project's one source of seeded randomness outside libtorch: tiny, fast and
/// fully specified, so a seeded shuffle, split or synthetic world is the same on every platform and .NET version
/// (seeded <see cref="Random"/> carries no such promise). <see cref="Mix"/> is its finaliser, used alone to derive
/// independent seeds from (seed, stream, index) tuples (<c>Training.DeterministicSeed</c>, <c>Synthetic.WorldRandom</c>).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state = seed;

    /// <summary>One SplitMix64 step applied to <paramref name="x"/>: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong x)
    {
        x += Golden;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public ulong NextUInt64()
    {
        ulong z = _state;
        _state += Golden;
        return Mix(z);
    }

    /// <summary>Uniform in [0, bound) by multiply-shift on the high 32 bits (bias at most bound / 2^32).</summary>
    public int Next(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);

    /// <summary>Uniform in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
