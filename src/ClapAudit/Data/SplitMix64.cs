namespace ClapAudit.Data;

/// <summary>
/// Vigna's SplitMix64 generator: tiny, fast and fully specified, so a seeded shuffle is the same on
/// every platform and .NET version (seeded <see cref="Random"/> carries no such promise).
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound) by multiply-shift on the high 32 bits (bias at most bound / 2^32).</summary>
    public int Next(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);
}
