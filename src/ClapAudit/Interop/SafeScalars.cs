using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Interop;

/// <summary>
/// Tensor arithmetic whose <see cref="Scalar"/> operands stay alive until libtorch returns.
/// Why: in TorchSharp 0.107 a Scalar has a finalizer that frees its native value, and its handle goes to
/// P/Invoke without GC.KeepAlive. A Scalar made by an implicit conversion (<c>x * 0.5</c>, <c>x.pow(3)</c>)
/// or inside TorchSharp (<c>a + b</c> and <c>add(t)</c> pass an implicit alpha 1, <c>square()</c> an implicit 2,
/// <c>arange(n)</c> implicit 0 and 1) is unreachable once its handle is read; a GC on any thread during the
/// native call can free it while libtorch reads it ("INTERNAL ASSERT FAILED ... c10/core/Scalar.h",
/// dotnet/TorchSharp PRs #1434 and #1496). The rule in src: pass only the process-lifetime constants here or
/// a <c>using var s = value.ToScalar();</c>; ScalarSafetyTests scan the IL and enforce it.
/// Each method makes the same libtorch call, with the same scalar types, as the TorchSharp shorthand it
/// replaces, so results are bit-identical.
/// </summary>
public static class SafeScalars
{
    // Static readonly fields are GC roots: never finalized while the process runs.
    /// <summary>Integer 0, as TorchSharp's <c>arange(stop)</c> start.</summary>
    public static readonly Scalar Zero = 0.ToScalar();
    /// <summary>Integer 1, the alpha TorchSharp's <c>add(t)</c>/<c>a + b</c> pass.</summary>
    public static readonly Scalar One = 1.ToScalar();
    /// <summary>Integer 2, the exponent TorchSharp's <c>square()</c> passes.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>
    /// A one-element tensor's value as a double (<c>t.ToDouble()</c>, which is <c>t.ToScalar().ToDouble()</c> in
    /// TorchSharp 0.107 with the Scalar left to the finalizer: a GC between the two calls frees it and libtorch aborts
    /// the process in <c>Scalar::toDouble</c>, seen in the demo's BatchNorm calibration).
    /// </summary>
    public static double ItemAsDouble(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToDouble();
    }

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c> in place (<c>add_(b)</c>).</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a + value</c> (as <c>a + value</c> or <c>value + a</c> with a double).</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary><c>a * value</c> (as <c>a * value</c> or <c>value * a</c> with a double).</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary><c>a *= value</c> in place (<c>mul_(value)</c>).</summary>
    public static Tensor TimesInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul_(s);
    }

    /// <summary><c>a / value</c> with a double.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    /// <summary><c>a / value</c> with an integer (an int64 scalar, as TorchSharp's <c>a / 2</c>).</summary>
    public static Tensor DividedBy(this Tensor a, int value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    /// <summary><c>a -= value</c> in place (<c>sub_(value)</c>).</summary>
    public static Tensor MinusInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.sub_(s);
    }

    /// <summary><c>a.pow(exponent)</c> with an integer exponent.</summary>
    public static Tensor Power(this Tensor a, int exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    /// <summary><c>a.square()</c> (libtorch's pow with the integer 2, as TorchSharp's square()).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Two);

    /// <summary><c>a.clamp_(min: min)</c> in place.</summary>
    public static Tensor ClampMinInPlace(this Tensor a, double min)
    {
        using var s = min.ToScalar();
        return a.clamp_(min: s);
    }

    /// <summary><c>torch.arange(stop)</c>: 0, 1, ..., stop-1.</summary>
    public static Tensor Arange(long stop, ScalarType? dtype = null, Device? device = null)
    {
        using var s = stop.ToScalar();
        return arange(Zero, s, One, dtype, device);
    }
}
