using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints.Pickle;

/// <summary>A torch storage class named in a pickle (torch.FloatStorage, torch.cuda.HalfStorage, ...).</summary>
public sealed record TorchStorageType(string Name, ScalarType DType, int ElementSize);

/// <summary>
/// A storage as a persistent id names it: <c>('storage', type, key, location, numel[, view])</c>.
/// The bytes are not read yet: <see cref="Key"/> finds them in the container (the zip's data/KEY
/// entry or the legacy stream's storage section). A legacy storage view (PyTorch before 1.x)
/// starts <see cref="ViewOffset"/> elements into its root storage.
/// </summary>
public sealed record PickledStorage(string Key, TorchStorageType Type, long Numel, string Location, long ViewOffset, long ViewNumel);

/// <summary>A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided view of a storage.</summary>
public sealed record PickledTensor(PickledStorage Storage, long Offset, long[] Size, long[] Stride)
{
    public long Elements => Size.Aggregate(1L, (a, b) => a * b);

    /// <summary>Refuses a view that reaches outside its storage (a corrupted file), naming it.</summary>
    public void CheckBounds(string file, string key)
    {
        Guard.Data(Size.Length == Stride.Length && Size.All(s => s >= 0) && Stride.All(s => s >= 0) && Offset >= 0,
            $"{file}: tensor {key} has size [{string.Join(", ", Size)}] and stride [{string.Join(", ", Stride)}], which do not describe a view");
        if (Elements == 0) return;
        long last = Offset + Size.Zip(Stride).Sum(p => (p.First - 1) * p.Second);
        Guard.Data(last < Storage.ViewNumel,
            $"{file}: tensor {key} (offset {Offset}, size [{string.Join(", ", Size)}], stride [{string.Join(", ", Stride)}]) " +
            $"reaches element {last} of storage {Storage.Key}, which holds {Storage.ViewNumel}");
    }
}

/// <summary>A class that the pickle passes as an argument but that is not called to build anything (numpy.ndarray).</summary>
public sealed record PickleClassMarker(string DottedName);
