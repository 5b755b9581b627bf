using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Named tensors read from a checkpoint file (parameters and buffers), in file order where the
/// format keeps one. Owns its tensors: dispose it once the weights are copied into a model.
/// </summary>
public sealed class StateDict : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    public StateDict(Dictionary<string, Tensor> tensors, string source, IReadOnlyDictionary<string, string>? metadata = null)
    {
        _tensors = tensors;
        Source = source;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    /// <summary>The file (and entry) the tensors came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Non-tensor entries beside the weights (e.g. a PANNs checkpoint's "iteration"), as text.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;
    public IEnumerable<string> Keys => _tensors.Keys;
    public int Count => _tensors.Count;
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);
    public Tensor this[string key] => _tensors[key];
    public bool TryGetValue(string key, out Tensor tensor) => _tensors.TryGetValue(key, out tensor!);

    /// <summary>The keys under <paramref name="prefix"/> with the prefix removed; the tensors stay owned by this dict.</summary>
    public Dictionary<string, Tensor> WithPrefixRemoved(string prefix) =>
        _tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    /// <summary>The shape of <paramref name="key"/>, or null when absent.</summary>
    public long[]? Shape(string key) => _tensors.TryGetValue(key, out var t) ? t.shape : null;

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
