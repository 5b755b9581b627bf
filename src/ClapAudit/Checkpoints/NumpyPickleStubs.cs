using Razorvine.Pickle;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Lets the unpickler pass over NumPy objects beside the weights. PANNs training checkpoints keep
/// the sampler's state (lists of NumPy arrays) next to 'model'; without a constructor for
/// numpy's reconstruct functions the whole file fails to load. The arrays are not needed, so they
/// become inert placeholders.
/// </summary>
internal static class NumpyPickleStubs
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        foreach (var module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            Unpickler.registerConstructor(module, "_reconstruct", new PlaceholderConstructor("numpy array"));
            Unpickler.registerConstructor(module, "scalar", new PlaceholderConstructor("numpy scalar"));
        }
        Unpickler.registerConstructor("numpy", "dtype", new PlaceholderConstructor("numpy dtype"));
        Unpickler.registerConstructor("numpy", "ndarray", new PlaceholderConstructor("numpy array"));
    }

    private sealed class PlaceholderConstructor(string what) : IObjectConstructor
    {
        public object construct(object[] args) => new NumpyPlaceholder(what);
    }
}

/// <summary>A NumPy object that was skipped while reading a checkpoint.</summary>
public sealed class NumpyPlaceholder(string what)
{
    public string What { get; } = what;

    /// <summary>Called by the unpickler's BUILD opcode; the state is dropped.</summary>
    public void __setstate__(object state) { }

    public override string ToString() => $"<{What}, not read>";
}
