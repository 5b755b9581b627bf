using System.Text;
using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints.Pickle;

/// <summary>
/// The only globals a checkpoint's pickle may name, each built by C# into inert data: torch's
/// tensor and storage rebuilds, OrderedDict, the builtin containers, and the NumPy arrays, dtypes
/// and scalars that a sampler's <c>RandomState.get_state()</c> holds. Like torch.load's
/// <c>weights_only=True</c>, and for the same reason: unpickling an arbitrary global can run any
/// code, so a checkpoint from the internet is data only if the reader decides which names exist.
/// </summary>
public static class PickleAllowList
{
    /// <summary>Storage class name, dtype and element size: every dtype TorchSharp reads. Declared before <see cref="Globals"/>, which reads it.</summary>
    private static readonly (string Name, ScalarType DType, int Size)[] StorageTypes =
    [
        ("FloatStorage", ScalarType.Float32, 4), ("DoubleStorage", ScalarType.Float64, 8),
        ("HalfStorage", ScalarType.Float16, 2), ("BFloat16Storage", ScalarType.BFloat16, 2),
        ("LongStorage", ScalarType.Int64, 8), ("IntStorage", ScalarType.Int32, 4),
        ("ShortStorage", ScalarType.Int16, 2), ("CharStorage", ScalarType.Int8, 1),
        ("ByteStorage", ScalarType.Byte, 1), ("BoolStorage", ScalarType.Bool, 1),
        ("ComplexFloatStorage", ScalarType.ComplexFloat32, 8), ("ComplexDoubleStorage", ScalarType.ComplexFloat64, 16),
    ];

    private static readonly Dictionary<string, object> Globals = Build();

    /// <summary>The allow-listed object for module.name, or a refusal naming it and the file.</summary>
    public static object Resolve(string module, string name, string file)
    {
        string dotted = module + "." + name;
        if (Globals.TryGetValue(dotted, out var g)) return g;
        throw new ClapAuditException(ErrorKind.InvalidData,
            $"{file}: the pickle names the global '{dotted}', which is not allowed: a checkpoint may hold only tensors, " +
            "storages, dicts/OrderedDicts, lists, tuples, sets, numbers, strings and NumPy arrays/scalars. Nothing was executed. " +
            "Save the weights alone, e.g. torch.save({'model': model.state_dict()}, path)");
    }

    /// <summary>The dotted names allowed, for the docs and tests.</summary>
    public static IReadOnlyCollection<string> Names => Globals.Keys;

    private static Dictionary<string, object> Build()
    {
        var g = new Dictionary<string, object>(StringComparer.Ordinal);
        void Add(string dotted, Func<PickleTuple, string, object?> call) => g[dotted] = new PickleGlobal(dotted, call);

        foreach (var (name, dtype, size) in StorageTypes)
        {
            // GPU-saved files (PANNs' own) name torch.cuda.*Storage; the bytes are the same and are read to the CPU.
            g["torch." + name] = new TorchStorageType("torch." + name, dtype, size);
            g["torch.cuda." + name] = new TorchStorageType("torch.cuda." + name, dtype, size);
        }
        Add("torch._utils._rebuild_tensor_v2", (a, f) => RebuildTensor(a, f, "_rebuild_tensor_v2"));
        Add("torch._utils._rebuild_tensor", (a, f) => RebuildTensor(a, f, "_rebuild_tensor"));
        // A Parameter is its data once loaded: requires_grad and hooks do not matter to a reader.
        Add("torch._utils._rebuild_parameter", (a, f) => Arg<PickledTensor>(a, 0, f, "_rebuild_parameter"));
        Add("torch._utils._rebuild_parameter_with_state", (a, f) => Arg<PickledTensor>(a, 0, f, "_rebuild_parameter_with_state"));
        // torch >= 1.13 wraps tensor subclasses: (rebuild function, class, its arguments, state).
        Add("torch._tensor._rebuild_from_type_v2", (a, f) =>
        {
            var func = Arg<PickleGlobal>(a, 0, f, "_rebuild_from_type_v2");
            return func.Call(Arg<PickleTuple>(a, 2, f, "_rebuild_from_type_v2"), f);
        });
        foreach (var cls in new[] { "torch.Tensor", "torch.nn.parameter.Parameter", "numpy.ndarray" })
            g[cls] = new PickleClassMarker(cls);
        Add("torch.Size", (a, f) => a.Count == 0 ? new PickleTuple([]) : Arg<PickleTuple>(a, 0, f, "torch.Size"));
        Add("torch.device", (a, _) => string.Join(":", a.Items));

        // Python's OrderedDict pickles as OrderedDict() then SETITEMS; some writers (TorchSharp.PyBridge) pass a list of pairs.
        Add("collections.OrderedDict", (a, f) =>
        {
            var d = new PickleDict();
            if (a.Count == 0) return d;
            IEnumerable<object?> pairs = a[0] switch
            {
                List<object?> l => l,
                PickleTuple t => t.Items,
                var other => throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{f}: OrderedDict built from {SafeUnpickler.Describe(other)}, not a sequence of (key, value) pairs"),
            };
            foreach (var p in pairs)
            {
                Guard.Data(p is PickleTuple { Count: 2 } kv && kv[0] is not null, $"{f}: an OrderedDict item that is not a (key, value) pair");
                var pair = (PickleTuple)p!;
                d.Set(pair[0]!, pair[1]);
            }
            return d;
        });
        foreach (var builtins in new[] { "builtins", "__builtin__" })
        {
            Add(builtins + ".set", (a, _) => new PickleSet(a.Count > 0 && a[0] is List<object?> l ? l : []));
            Add(builtins + ".frozenset", (a, _) => new PickleSet(a.Count > 0 && a[0] is List<object?> l ? l : []));
            Add(builtins + ".bytearray", (a, _) => a.Count > 0 && a[0] is byte[] b ? b : []);
        }
        // Protocol 2 has no bytes opcode: Python 3 pickles bytes (NumPy's array data) as _codecs.encode(text, 'latin1').
        Add("_codecs.encode", (a, f) =>
        {
            string text = Arg<string>(a, 0, f, "_codecs.encode");
            string enc = a.Count > 1 ? Arg<string>(a, 1, f, "_codecs.encode") : "utf-8";
            return enc.ToLowerInvariant() switch
            {
                "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1.GetBytes(text),
                "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
                _ => throw new ClapAuditException(ErrorKind.InvalidData, $"{f}: _codecs.encode with encoding '{enc}' is not read"),
            };
        });
        foreach (var np in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            Add(np + "._reconstruct", (_, _) => new NumpyArray());
            Add(np + ".scalar", (a, f) => NumpyScalar.Decode(Arg<NumpyDType>(a, 0, f, "numpy scalar"), a.Count > 1 && a[1] is byte[] b ? b : []));
        }
        Add("numpy.dtype", (a, f) => new NumpyDType(Arg<string>(a, 0, f, "numpy.dtype")));
        return g;
    }

    private static PickledTensor RebuildTensor(PickleTuple a, string file, string what)
    {
        var storage = Arg<PickledStorage>(a, 0, file, what);
        long offset = Arg<long>(a, 1, file, what);
        var size = Longs(Arg<PickleTuple>(a, 2, file, what), file, what);
        var stride = Longs(Arg<PickleTuple>(a, 3, file, what), file, what);
        return new PickledTensor(storage, offset, size, stride);
    }

    private static long[] Longs(PickleTuple t, string file, string what) =>
        t.Items.Select(x => x is long v ? v : throw new ClapAuditException(ErrorKind.InvalidData,
            $"{file}: {what} has a size or stride that is not an integer ({x})")).ToArray();

    private static T Arg<T>(PickleTuple a, int i, string file, string what) =>
        i < a.Count && a[i] is T v ? v
            : throw new ClapAuditException(ErrorKind.InvalidData,
                $"{file}: {what} argument {i} is {(i < a.Count ? SafeUnpickler.Describe(a[i]) : "missing")}, expected {typeof(T).Name}");
}
