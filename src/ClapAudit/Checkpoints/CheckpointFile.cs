using System.Collections;
using System.Globalization;
using ClapAudit.Common;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// Reads a checkpoint's tensors from a PyTorch zip-format <c>.pth</c>/<c>.bin</c>/<c>.pt</c>
/// (through TorchSharp.PyBridge) or a safetensors file, chosen by content, not by name.
/// A training checkpoint whose weights sit under "model" (PANNs, msclap) or "state_dict" yields
/// that entry; its other scalar entries become <see cref="StateDict.Metadata"/>.
/// </summary>
public static class CheckpointFile
{
    public static StateDict Read(string path)
    {
        Guard.FileExists(path, "checkpoint");
        var kind = Sniff(path);
        return kind switch
        {
            CheckpointFormat.SafeTensors => SafeTensorsFile.Read(path),
            CheckpointFormat.TorchZip => ReadTorchZip(path),
            CheckpointFormat.LegacyPickle => throw new ClapAuditException(ErrorKind.InvalidData,
                $"{path}: a legacy (non-zip) PyTorch pickle, which cannot be read here. Re-save it in Python with " +
                "torch.save(torch.load(path, map_location='cpu'), new_path, _use_new_zipfile_serialization=True) and load new_path"),
            _ => throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: neither a PyTorch zip checkpoint nor a safetensors file"),
        };
    }

    /// <summary>
    /// A zip whose central directory is missing or broken was cut short (an interrupted download or copy):
    /// said as such, before the unpickler's error would suggest re-saving a file that is merely incomplete.
    /// </summary>
    private static void CheckZip(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            using var zip = new System.IO.Compression.ZipArchive(f, System.IO.Compression.ZipArchiveMode.Read);
            _ = zip.Entries.Count;
        }
        catch (InvalidDataException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{path}: truncated or corrupt zip ({e.Message}); the file is incomplete: download or copy it again",
                e);
        }
    }

    public static CheckpointFormat Sniff(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int n = f.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return CheckpointFormat.TorchZip;
        f.Dispose();
        // Before the pickle test: a safetensors header length can start with byte 0x80 too.
        if (SafeTensorsFile.HasMagic(path)) return CheckpointFormat.SafeTensors;
        // Legacy torch.save: pickle protocol 2 (0x80 0x02) holding the magic number first.
        return n >= 2 && head[0] == 0x80 && head[1] <= 5 ? CheckpointFormat.LegacyPickle : CheckpointFormat.Unknown;
    }

    private static StateDict ReadTorchZip(string path)
    {
        CheckZip(path);
        Hashtable root;
        NumpyPickleStubs.Register();
        try
        {
            using var f = File.OpenRead(path);
            root = PyTorchUnpickler.UnpickleStateDict(f);
        }
        catch (Exception e) when (e is not ClapAuditException and not IOException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{path}: could not unpickle the checkpoint ({e.GetType().Name}: {e.Message}). Only dicts of tensors (possibly nested) can be read; " +
                "save torch.save({'model': model.state_dict()}, path) or model.state_dict() alone", e);
        }
        var metadata = new Dictionary<string, string>();
        Hashtable weights = root;
        string source = path;
        foreach (string entry in new[] { "model", "state_dict" })
        {
            if (root[entry] is Hashtable inner)
            {
                weights = inner;
                source = $"{path} [\"{entry}\"]";
                foreach (DictionaryEntry kv in root)
                    if (kv.Key is string k && k != entry && kv.Value is IConvertible c && kv.Value is not Tensor)
                        metadata[k] = Convert.ToString(c, CultureInfo.InvariantCulture) ?? "";
                break;
            }
        }
        var tensors = new Dictionary<string, Tensor>();
        Flatten(weights, "", tensors, metadata);
        // Dispose what was unpickled but not kept (tensors in other entries).
        if (!ReferenceEquals(weights, root)) DisposeOthers(root, weights);
        var ordered = tensors.OrderBy(kv => kv.Key, NaturalKeyComparer.Instance).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new StateDict(ordered, source, metadata);
    }

    private static void Flatten(Hashtable table, string prefix, Dictionary<string, Tensor> into, Dictionary<string, string> metadata)
    {
        foreach (DictionaryEntry kv in table)
        {
            string key = prefix + Convert.ToString(kv.Key, CultureInfo.InvariantCulture);
            switch (kv.Value)
            {
                case Tensor t: into[key] = t; break;
                case Hashtable h: Flatten(h, key + ".", into, metadata); break;
                case IConvertible c when prefix.Length == 0: metadata[key] = Convert.ToString(c, CultureInfo.InvariantCulture) ?? ""; break;
            }
        }
    }

    private static void DisposeOthers(Hashtable root, Hashtable keep)
    {
        foreach (DictionaryEntry kv in root)
        {
            if (ReferenceEquals(kv.Value, keep)) continue;
            if (kv.Value is Tensor t) t.Dispose();
            else if (kv.Value is Hashtable h) DisposeOthers(h, keep);
        }
    }
}

public enum CheckpointFormat { Unknown, TorchZip, LegacyPickle, SafeTensors }

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
