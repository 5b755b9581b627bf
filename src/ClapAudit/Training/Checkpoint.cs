using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Common;
using ClapAudit.Checkpoints;
using ClapAudit.Models;
using ClapAudit.Training.Optimizers;
using TorchSharp;
using TorchSharp.PyBridge;

namespace ClapAudit.Training;

/// <summary>
/// A ClapAudit checkpoint: one zip file (stored, not compressed) holding
/// <c>model.pth</c> (the model's state dict as a PyTorch file, msclap's key layout, readable by
/// <c>torch.load</c>), <c>optimizer.pth</c> (the Adam state, PyTorch's optimizer state-dict layout)
/// and <c>state.json</c> (<see cref="CheckpointState"/>). Written atomically (tmp + rename).
/// </summary>
public static class Checkpoint
{
    public const string FormatName = "clapaudit-checkpoint";
    public const int FormatVersion = 1;
    public const string ModelEntry = "model.pth";
    public const string OptimizerEntry = "optimizer.pth";
    public const string StateEntry = "state.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    public static void Save(string path, ClapModel model, torch.optim.Optimizer? optimizer, CheckpointState state) =>
        SaveModule(path, model, optimizer, state);

    /// <summary>
    /// The same zip layout for any module and any state record (audio pre-training uses its own
    /// state.json record); <see cref="ReadStateAs{TState}"/> and <see cref="LoadModule"/> read it back.
    /// </summary>
    public static void SaveModule<TState>(string path, torch.nn.Module model, torch.optim.Optimizer? optimizer, TState state)
    {
        byte[] modelBytes = ToBytes(s => model.save_py(s, leaveOpen: true));
        byte[]? optimizerBytes = optimizer is null ? null : ToBytes(s => ((TorchSharp.Modules.OptimizerHelper)optimizer).save_py(s, leaveOpen: true));
        byte[] stateBytes = JsonSerializer.SerializeToUtf8Bytes(state, Json);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Add(zip, StateEntry, stateBytes);
            Add(zip, ModelEntry, modelBytes);
            if (optimizerBytes is not null) Add(zip, OptimizerEntry, optimizerBytes);
        });
    }

    /// <summary>Reads state.json only (to rebuild the model and choose the phase before loading tensors).</summary>
    public static CheckpointState ReadState(string path)
    {
        using var zip = Open(path);
        var entry = zip.GetEntry(StateEntry) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: no {StateEntry} in the checkpoint");
        using var s = entry.Open();
        CheckpointState? state;
        try { state = JsonSerializer.Deserialize<CheckpointState>(s, Json); }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: {StateEntry} is malformed ({e.Message})"); }
        if (state is null || state.Format != FormatName)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: not a {FormatName} (format '{state?.Format}')");
        if (state.Version > FormatVersion)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: checkpoint format version {state.Version} is newer than this ClapAudit's ({FormatVersion})");
        return state;
    }

    /// <summary>state.json as <typeparamref name="TState"/> (no format check: the caller checks its own format field).</summary>
    public static TState ReadStateAs<TState>(string path) where TState : class
    {
        using var zip = Open(path);
        var entry = zip.GetEntry(StateEntry) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: no {StateEntry} in the checkpoint");
        using var s = entry.Open();
        try
        {
            return JsonSerializer.Deserialize<TState>(s, Json) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: empty {StateEntry}");
        }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: {StateEntry} is malformed ({e.Message})"); }
    }

    /// <summary>Loads the weights (strict) into any module and, when given, the optimizer state.</summary>
    public static void LoadModule(string path, torch.nn.Module model, torch.optim.Optimizer? optimizer = null)
    {
        using var zip = Open(path);
        LoadModel(zip, path, model);
        if (optimizer is not null) LoadOptimizer(zip, path, optimizer);
    }

    /// <summary>Loads the weights (strict: every key must match) and, when given, the optimizer state.</summary>
    public static CheckpointState Load(string path, ClapModel model, torch.optim.Optimizer? optimizer = null)
    {
        var state = ReadState(path);
        LoadModule(path, model, optimizer);
        return state;
    }

    /// <summary>Loads only the model weights (for zero-shot evaluation and embedding export).</summary>
    public static CheckpointState LoadWeights(string path, ClapModel model) => Load(path, model, null);

    // Both entries are read through the project's allow-listed unpickler (CheckpointFile.ReadZip), as published
    // checkpoints are; TorchSharp.PyBridge only writes them.
    private static void LoadModel(ZipArchive zip, string path, torch.nn.Module model)
    {
        var entry = zip.GetEntry(ModelEntry) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: no {ModelEntry} in the checkpoint");
        string source = $"{path} [{ModelEntry}]";
        using var ms = Copy(entry);
        using var weights = CheckpointFile.ReadZip(ms, source);
        StateDictLoader.Load(model, weights.Tensors, strict: true, source, model.GetName());
    }

    private static void LoadOptimizer(ZipArchive zip, string path, torch.optim.Optimizer optimizer)
    {
        var entry = zip.GetEntry(OptimizerEntry) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: no {OptimizerEntry} in the checkpoint");
        if (optimizer is not ScalarSafeAdam adam)
            throw new ArgumentException($"checkpoints hold Adam state; {optimizer.GetType().Name} cannot be restored from one", nameof(optimizer));
        using var ms = Copy(entry);
        using var file = AdamStateFile.Read(ms, $"{path} [{OptimizerEntry}]");
        adam.Import(file);
    }

    private static ZipArchive Open(string path)
    {
        Guard.FileExists(path, "checkpoint");
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: not a ClapAudit checkpoint (not a zip file: {e.Message})"); }
    }

    private static MemoryStream Copy(ZipArchiveEntry entry)
    {
        var ms = new MemoryStream();
        using (var s = entry.Open()) s.CopyTo(ms);
        ms.Position = 0;
        return ms;
    }

    private static byte[] ToBytes(Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        return ms.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(bytes);
    }
}
