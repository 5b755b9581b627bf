namespace ClapAudit.Checkpoints.Pickle;

/// <summary>
/// A Python dict or OrderedDict as unpickled: items in insertion order (a state dict's order is
/// the model's), keys as they were (strings, ints, tuples). Attributes set by BUILD (an
/// OrderedDict's <c>_metadata</c>) are kept apart from the items.
/// </summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;
    public int Count => _items.Count;
    public object? Attributes { get; set; }

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int i)) _items[i] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = _items[i].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>A Python set or frozenset; only kept to be described or skipped.</summary>
public sealed class PickleSet(List<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;
}

/// <summary>
/// A Python tuple. Tuples are dict keys in some pickles (hashable), so equality is by items.
/// </summary>
public sealed class PickleTuple(object?[] items) : IEquatable<PickleTuple>
{
    public object?[] Items { get; } = items;
    public int Count => Items.Length;
    public object? this[int i] => Items[i];

    public bool Equals(PickleTuple? other) =>
        other is not null && Items.Length == other.Items.Length && Items.Zip(other.Items).All(p => Equals(p.First, p.Second));

    public override bool Equals(object? obj) => Equals(obj as PickleTuple);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var x in Items) h.Add(x);
        return h.ToHashCode();
    }

    public override string ToString() => "(" + string.Join(", ", Items) + (Items.Length == 1 ? ",)" : ")");
}

/// <summary>An object whose state arrives by the BUILD opcode (__setstate__ in Python).</summary>
public interface IPickleBuildable
{
    void SetState(object? state, string file);
}

/// <summary>
/// An allow-listed global: a class or function the unpickler may reference and call. Calling one
/// runs the C# <see cref="Call"/> given here, never Python code, and builds only inert data.
/// </summary>
public sealed class PickleGlobal(string dottedName, Func<PickleTuple, string, object?> call)
{
    public string DottedName { get; } = dottedName;

    /// <summary>Makes the object from the REDUCE/NEWOBJ arguments; the string is the file, for messages.</summary>
    public Func<PickleTuple, string, object?> Call { get; } = call;

    public override string ToString() => DottedName;
}
