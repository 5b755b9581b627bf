using ClapAudit.Common;

namespace ClapAudit.Synthetic;

/// <summary>
/// The world's random source: SplitMix64, seeded from (world seed, stream name, index), so every clip,
/// class and caption draws from its own stream and the result does not depend on thread scheduling
/// or on the order in which the parts are generated. Own code rather than <see cref="Random"/> so the
/// bytes of a world are fixed by the algorithm here, not by a runtime version.
/// </summary>
internal sealed class WorldRandom
{
    private readonly SplitMix64 _source;

    private WorldRandom(ulong state) => _source = new SplitMix64(state);

    /// <summary>The stream for <paramref name="index"/> within the named stream of the world seeded <paramref name="seed"/>.</summary>
    public static WorldRandom For(int seed, string stream, long index = 0) =>
        new(SplitMix64.Mix(SplitMix64.Mix((ulong)(uint)seed ^ Fnv1a(stream)) ^ (ulong)index));

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => _source.NextDouble();

    /// <summary>Uniform integer in [0, n), by scaling <see cref="NextDouble"/> (not SplitMix64.Next's multiply-shift:
    /// the worlds already generated, and the demo figures measured on them, are fixed by this choice).</summary>
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

    private static ulong Fnv1a(string s)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in s) { h ^= c; h *= 0x100000001B3UL; }
        return h;
    }
}
