namespace ClapAudit.Synthetic;

/// <summary>
/// The world's random source: SplitMix64, seeded from (world seed, stream name, index), so every clip,
/// class and caption draws from its own stream and the result does not depend on thread scheduling
/// or on the order in which the parts are generated. Own code rather than <see cref="Random"/> so the
/// bytes of a world are fixed by the algorithm here, not by a runtime version.
/// </summary>
internal sealed class WorldRandom
{
    private ulong _state;

    private WorldRandom(ulong state) => _state = state;

    /// <summary>The stream for <paramref name="index"/> within the named stream of the world seeded <paramref name="seed"/>.</summary>
    public static WorldRandom For(int seed, string stream, long index = 0) =>
        new(Mix(Mix((ulong)(uint)seed ^ Fnv1a(stream)) ^ (ulong)index));

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => (int)(NextDouble() * n);

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    private double _spare = double.NaN;

    /// <summary>Standard normal (Box-Muller; both values of a pair are used).</summary>
    public double Gaussian()
    {
        if (!double.IsNaN(_spare))
        {
            double v = _spare;
            _spare = double.NaN;
            return v;
        }
        double r = Math.Sqrt(-2.0 * Math.Log(1.0 - NextDouble()));
        double t = 2.0 * Math.PI * NextDouble();
        _spare = r * Math.Sin(t);
        return r * Math.Cos(t);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Fisher-Yates, in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a(string s)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in s) { h ^= c; h *= 0x100000001B3UL; }
        return h;
    }
}
