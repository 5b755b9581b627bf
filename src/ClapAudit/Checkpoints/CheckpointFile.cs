using System.Globalization;
using ClapAudit.Checkpoints.Pickle;
using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Reads a checkpoint's tensors from a PyTorch <c>.pth</c>/<c>.bin</c>/<c>.pt</c> in either torch.save
/// container (zip, or the legacy pre-1.6 stream) or a safetensors file, chosen by content, not by name.
/// Both torch containers go through <see cref="SafeUnpickler"/>: only allow-listed globals, nothing
/// executed. A training checkpoint whose weights sit under "model" (PANNs, msclap) or "state_dict"
/// yields that entry; its other entries become <see cref="StateDict.Metadata"/> (scalars as their
/// value, containers described) and their tensors (optimizer state) are never read from disk.
/// </summary>
public static class CheckpointFile
{
    public static StateDict Read(string path, CancellationToken token = default)
    {
        Guard.FileExists(path, "checkpoint");
        var kind = Sniff(path);
        return kind switch
        {
            CheckpointFormat.SafeTensors => SafeTensorsFile.Read(path),
            CheckpointFormat.TorchZip => ReadTorch(TorchZipContainer.Open(path), path, token),
            CheckpointFormat.TorchLegacy => ReadTorch(TorchLegacyContainer.Open(path), path, token),
            CheckpointFormat.TorchTar => throw new ClapAuditException(ErrorKind.InvalidData,
                $"{path}: a PyTorch checkpoint in the tar container of torch before 0.4 (2018), which is not read here. " +
                "Load it with such a torch and re-save the state dict with a current one"),
            _ => throw new ClapAuditException(ErrorKind.InvalidData,
                $"{path}: neither a PyTorch checkpoint (zip or legacy container) nor a safetensors file"),
        };
    }

    /// <summary>
    /// A torch.save zip container held in a stream (a ClapAudit checkpoint's <c>model.pth</c> or <c>optimizer.pth</c>
    /// entry), through the same safe reader. Tensors nested in dicts get dotted keys (<c>state.0.exp_avg</c>);
    /// <paramref name="root"/> receives the unpickled root before any storage is read (for non-tensor entries
    /// such as an optimizer's <c>param_groups</c>).
    /// </summary>
    internal static StateDict ReadZip(Stream stream, string label, Action<object?>? root = null, CancellationToken token = default)
    {
        var container = TorchZipContainer.Open(stream, label);
        try { root?.Invoke(container.Root); }
        catch
        {
            container.Dispose();
            throw;
        }
        return ReadTorch(container, label, token);
    }

    public static CheckpointFormat Sniff(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[512];
        int n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return CheckpointFormat.TorchZip;
        // Pickle protocol 2, then LONG1 of 10 bytes: torch's magic number 0x1950a86a20f9469cfc6c, little-endian.
        ReadOnlySpan<byte> legacy = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
        // A file cut inside the signature is still the legacy container's, so that the reader reports it as truncated.
        if (head.StartsWith(legacy) || (n >= 4 && n < legacy.Length && legacy.StartsWith(head))) return CheckpointFormat.TorchLegacy;
        if (n >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8)) return CheckpointFormat.TorchTar;
        f.Dispose();
        if (SafeTensorsFile.HasMagic(path)) return CheckpointFormat.SafeTensors;
        return CheckpointFormat.Unknown;
    }

    /// <summary>The words <c>inspect</c> uses for each container.</summary>
    public static string Describe(CheckpointFormat format) => format switch
    {
        CheckpointFormat.TorchZip => "PyTorch zip container",
        CheckpointFormat.TorchLegacy => "PyTorch legacy container (pre-1.6 torch.save)",
        CheckpointFormat.TorchTar => "PyTorch tar container (before 0.4)",
        CheckpointFormat.SafeTensors => "safetensors",
        _ => "unknown",
    };

    private static StateDict ReadTorch(ITorchContainer container, string path, CancellationToken token)
    {
        using (container)
        {
            if (container.Root is not PickleDict root)
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{path}: the checkpoint holds {SafeUnpickler.Describe(container.Root)}, not a dict of tensors. " +
                    "Save torch.save({'model': model.state_dict()}, path) or model.state_dict() alone");
            var metadata = new Dictionary<string, string>();
            var weights = root;
            string source = path;
            foreach (string entry in new[] { "model", "state_dict" })
            {
                if (root.TryGetValue(entry, out var inner) && inner is PickleDict d)
                {
                    weights = d;
                    source = $"{path} [\"{entry}\"]";
                    foreach (var (k, v) in root.Items)
                        if (k is string name && name != entry) metadata[name] = DescribeValue(v);
                    break;
                }
            }
            var pickled = new Dictionary<string, PickledTensor>();
            Flatten(weights, "", pickled, metadata);
            foreach (var (key, t) in pickled) t.CheckBounds(path, key);
            var needed = pickled.Values.Select(t => t.Storage).DistinctBy(s => s.Key).ToList();
            var storages = container.ReadStorages(needed, token);
            var tensors = new Dictionary<string, Tensor>();
            try
            {
                foreach (var (key, t) in pickled)
                {
                    // A strided view of the storage, as torch builds it: tensors sharing a storage share memory here too.
                    tensors[key] = storages[t.Storage.Key].as_strided(t.Size, t.Stride, t.Storage.ViewOffset + t.Offset);
                }
            }
            catch
            {
                foreach (var t in tensors.Values) t.Dispose();
                throw;
            }
            finally
            {
                // The views keep the memory alive; the flat storage handles are not needed.
                foreach (var s in storages.Values) s.Dispose();
            }
            var ordered = tensors.OrderBy(kv => kv.Key, NaturalKeyComparer.Instance).ToDictionary(kv => kv.Key, kv => kv.Value);
            return new StateDict(ordered, source, metadata);
        }
    }

    private static void Flatten(PickleDict table, string prefix, Dictionary<string, PickledTensor> into, Dictionary<string, string> metadata)
    {
        foreach (var (k, v) in table.Items)
        {
            string key = prefix + Convert.ToString(k, CultureInfo.InvariantCulture);
            switch (v)
            {
                case PickledTensor t: into[key] = t; break;
                case PickleDict d: Flatten(d, key + ".", into, metadata); break;
                case var other when prefix.Length == 0: metadata[key] = DescribeValue(other); break;
            }
        }
    }

    /// <summary>A scalar as its value; a container or array as what it is (it is not read further).</summary>
    private static string DescribeValue(object? v) => v switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        PickleDict d => $"(not read: dict of {d.Count} entries)",
        List<object?> l => $"(not read: list of {l.Count} items)",
        PickleTuple t => $"(not read: tuple of {t.Count} items)",
        PickledTensor t => $"(not read: tensor [{string.Join(", ", t.Size)}])",
        _ => $"(not read: {v})",
    };
}

public enum CheckpointFormat { Unknown, TorchZip, TorchLegacy, TorchTar, SafeTensors }

/// <summary>Orders "layer.10" after "layer.9": digit runs compare as numbers.</summary>
public sealed class NaturalKeyComparer : IComparer<string>
{
    public static NaturalKeyComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null) return string.CompareOrdinal(x, y);
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                var a = x.AsSpan(si, i - si).TrimStart('0');
                var b = y.AsSpan(sj, j - sj).TrimStart('0');
                if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
                int c = a.SequenceCompareTo(b);
                if (c != 0) return c;
            }
            else
            {
                if (x[i] != y[j]) return x[i].CompareTo(y[j]);
                i++; j++;
            }
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
