using System.IO.Compression;
using System.Numerics;
using ClapAudit.Checkpoints.Pickle;
using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// One torch.save container opened: the object pickle (already read through <see cref="SafeUnpickler"/>,
/// storages as <see cref="PickledStorage"/> placeholders) and a way to read the bytes of the
/// storages that are kept. Reading only what is kept leaves optimizer state and the like on disk.
/// </summary>
internal interface ITorchContainer : IDisposable
{
    object? Root { get; }

    /// <summary>One flat tensor per root storage key asked for, filled from the file; the caller owns them.</summary>
    Dictionary<string, Tensor> ReadStorages(IReadOnlyCollection<PickledStorage> needed, CancellationToken token);
}

/// <summary>The persistent ids both containers use: <c>('storage', type, key, location, numel[, view])</c>.</summary>
internal static class TorchPersistentIds
{
    public static Func<PickleTuple, object?> Loader(string file, Dictionary<string, PickledStorage> seen) => pid =>
    {
        if (pid.Count > 0 && pid[0] is "module")
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{file}: a whole pickled nn.Module (torch.save(model)), whose classes would have to be imported; save model.state_dict() instead");
        Guard.Data(pid.Count is 5 or 6 && pid[0] is "storage" && pid[2] is string && pid[4] is long,
            $"{file}: a persistent id {pid} that is not ('storage', type, key, location, numel[, view])");
        var type = pid[1] as TorchStorageType ?? throw new ClapAuditException(ErrorKind.InvalidData,
            $"{file}: storage {pid[2]} has type {SafeUnpickler.Describe(pid[1])}, not a torch storage class");
        string key = (string)pid[2]!;
        long numel = (long)pid[4]!;
        string location = pid[3]?.ToString() ?? "cpu";
        long viewOffset = 0, viewNumel = numel;
        if (pid.Count == 6 && pid[5] is PickleTuple { Count: 3 } view)
        {
            // PyTorch before 1.x pickled storage views: (view key, element offset into the root, view size).
            Guard.Data(view[1] is long o && view[2] is long n && o >= 0 && n >= 0 && o + n <= numel,
                $"{file}: storage view {view} does not fit its root storage {key} of {numel} elements");
            viewOffset = (long)view[1]!;
            viewNumel = (long)view[2]!;
        }
        Guard.Data(numel >= 0, $"{file}: storage {key} has a negative size {numel}");
        if (seen.TryGetValue(key, out var root))
            Guard.Data(root.Type.DType == type.DType && root.Numel == numel,
                $"{file}: storage {key} is named twice with different types or sizes");
        var storage = new PickledStorage(key, type, numel, location, viewOffset, viewNumel);
        seen.TryAdd(key, storage);
        return storage;
    };

    /// <summary>An empty flat tensor for the storage, filled from <paramref name="source"/> (exactly its bytes).</summary>
    public static Tensor ReadInto(Stream source, PickledStorage s, string file)
    {
        long bytes = s.Numel * s.Type.ElementSize;
        Guard.Data(bytes <= int.MaxValue, $"{file}: storage {s.Key} holds {bytes} bytes; one storage over 2 GiB is not read here");
        var t = empty(s.Numel, dtype: s.Type.DType);
        try
        {
            if (bytes > 0) source.ReadExactly(t.bytes);
            return t;
        }
        catch (EndOfStreamException)
        {
            t.Dispose();
            throw new ClapAuditException(ErrorKind.InvalidData, $"{file}: truncated: storage {s.Key} ({bytes} bytes) ends early");
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }
}

/// <summary>
/// The zip container (torch.save since PyTorch 1.6): ARCHIVE/data.pkl is the object pickle,
/// ARCHIVE/data/KEY each storage's raw little-endian bytes, ARCHIVE/byteorder (1.13+) says the
/// byte order. Entries are read directly into the tensors' memory.
/// </summary>
internal sealed class TorchZipContainer : ITorchContainer
{
    private readonly ZipArchive _zip;
    private readonly string _file;
    private readonly string _prefix;

    public object? Root { get; }

    private TorchZipContainer(ZipArchive zip, string file, string prefix, object? root)
    {
        _zip = zip;
        _file = file;
        _prefix = prefix;
        Root = root;
    }

    public static TorchZipContainer Open(string path)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: a corrupted or truncated zip archive ({e.Message})", e);
        }
        return Open(zip, path);
    }

    /// <summary>A container held in a seekable stream (an entry of a ClapAudit checkpoint); <paramref name="label"/>
    /// names it in messages.</summary>
    public static TorchZipContainer Open(Stream stream, string label)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{label}: a corrupted or truncated zip archive ({e.Message})", e);
        }
        return Open(zip, label);
    }

    private static TorchZipContainer Open(ZipArchive zip, string path)
    {
        try
        {
            var pkl = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                .ToList();
            Guard.Data(pkl.Count == 1, $"{path}: a zip archive without exactly one ARCHIVE/data.pkl ({pkl.Count} found): not a torch.save file");
            string prefix = pkl[0].FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "byteorder") is { } order)
            {
                using var r = new StreamReader(order.Open());
                string text = r.ReadToEnd().Trim();
                Guard.Data(text == "little", $"{path}: saved with byte order '{text}'; only little-endian checkpoints are read");
            }
            var data = new MemoryStream();
            using (var s = pkl[0].Open()) s.CopyTo(data);
            data.Position = 0;
            var root = SafeUnpickler.Load(data, path, TorchPersistentIds.Loader(path, []));
            return new TorchZipContainer(zip, path, prefix, root);
        }
        catch (InvalidDataException e)
        {
            zip.Dispose();
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: a corrupted zip entry ({e.Message})", e);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    public Dictionary<string, Tensor> ReadStorages(IReadOnlyCollection<PickledStorage> needed, CancellationToken token)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var s in needed)
            {
                token.ThrowIfCancellationRequested();
                var entry = _zip.GetEntry(_prefix + "data/" + s.Key)
                    ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{_file}: storage {s.Key} is named in data.pkl but has no data/{s.Key} entry");
                long bytes = s.Numel * s.Type.ElementSize;
                Guard.Data(entry.Length == bytes,
                    $"{_file}: entry data/{s.Key} has {entry.Length} bytes but its {s.Type.Name} of {s.Numel} elements needs {bytes}");
                using var stream = entry.Open();
                result[s.Key] = TorchPersistentIds.ReadInto(stream, s, _file);
            }
            return result;
        }
        catch (InvalidDataException e)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new ClapAuditException(ErrorKind.InvalidData, $"{_file}: a corrupted zip entry ({e.Message})", e);
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    public void Dispose() => _zip.Dispose();
}

/// <summary>
/// The legacy container (torch.save before PyTorch 1.6, or with _use_new_zipfile_serialization=False;
/// Hugging Face's older pytorch_model.bin and PANNs' checkpoints): five consecutive pickles (the magic
/// number 0x1950a86a20f9469cfc6c, the protocol version 1001, a sys-info dict with the byte order, the
/// object pickle, the sorted list of storage keys), then for each key in that list an 8-byte
/// little-endian element count and the storage's raw bytes. The pre-0.4 tar container and
/// big-endian files are refused by name.
/// </summary>
internal sealed class TorchLegacyContainer : ITorchContainer
{
    public static readonly BigInteger MagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long ProtocolVersion = 1001;

    private readonly FileStream _in;
    private readonly string _file;
    private readonly List<string> _keys;
    private readonly Dictionary<string, PickledStorage> _storages;

    public object? Root { get; }

    private TorchLegacyContainer(FileStream input, string file, object? root, List<string> keys, Dictionary<string, PickledStorage> storages)
    {
        _in = input;
        _file = file;
        Root = root;
        _keys = keys;
        _storages = storages;
    }

    public static TorchLegacyContainer Open(string path)
    {
        var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            var magic = SafeUnpickler.Load(f, path);
            Guard.Data(magic is BigInteger m && m == MagicNumber,
                $"{path}: a pickle that does not start with torch's magic number 0x1950a86a20f9469cfc6c: not a torch.save file");
            var protocol = SafeUnpickler.Load(f, path);
            Guard.Data(protocol is long p && p == ProtocolVersion, $"{path}: torch legacy protocol version {protocol}, expected {ProtocolVersion}");
            var sysInfo = SafeUnpickler.Load(f, path) as PickleDict;
            Guard.Data(sysInfo is not null && sysInfo.TryGetValue("little_endian", out var le) && le is bool,
                $"{path}: the legacy header's sys-info record has no little_endian entry");
            sysInfo!.TryGetValue("little_endian", out var little);
            Guard.Data(little is true, $"{path}: saved on a big-endian machine (sys_info little_endian=False); only little-endian checkpoints are read. " +
                "Load it on such a machine (or with torch.load, which swaps) and re-save it");
            var storages = new Dictionary<string, PickledStorage>();
            var root = SafeUnpickler.Load(f, path, TorchPersistentIds.Loader(path, storages));
            var keys = SafeUnpickler.Load(f, path) as List<object?>;
            Guard.Data(keys is not null && keys.All(k => k is string), $"{path}: the storage key list after the object pickle is not a list of strings");
            return new TorchLegacyContainer(f, path, root, keys!.Cast<string>().ToList(), storages);
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    public Dictionary<string, Tensor> ReadStorages(IReadOnlyCollection<PickledStorage> needed, CancellationToken token)
    {
        var wanted = needed.ToDictionary(s => s.Key);
        var result = new Dictionary<string, Tensor>();
        try
        {
            Span<byte> count = stackalloc byte[8];
            foreach (string key in _keys)
            {
                token.ThrowIfCancellationRequested();
                var s = _storages.GetValueOrDefault(key) ?? throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{_file}: storage key {key} is listed but no tensor names it");
                long at = _in.Position;
                if (_in.Read(count) < 8 || (at + 8 > _in.Length))
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{_file}: truncated: the storage section ends before storage {key} (byte {at})");
                long n = BitConverter.ToInt64(count);
                Guard.Data(n == s.Numel,
                    $"{_file}: corrupted: storage {key} at byte {at} declares {n} elements but the pickle says {s.Numel}");
                long bytes = n * s.Type.ElementSize;
                Guard.Data(_in.Position + bytes <= _in.Length,
                    $"{_file}: truncated: storage {key} needs {bytes} bytes from byte {_in.Position} but the file has {_in.Length}");
                if (wanted.ContainsKey(key)) result[key] = TorchPersistentIds.ReadInto(_in, s, _file);
                else _in.Seek(bytes, SeekOrigin.Current);
            }
            var missing = wanted.Keys.Where(k => !result.ContainsKey(k)).ToList();
            Guard.Data(missing.Count == 0, $"{_file}: storage(s) {string.Join(", ", missing.Take(5))} are named by tensors but not in the storage list");
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    public void Dispose() => _in.Dispose();
}
