using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Audio;
using ClapAudit.Common;

namespace ClapAudit.Training.Pretraining;

/// <summary>The audio settings a pre-trained CNN14 expects (inference must use the same).</summary>
public sealed record PretrainedPreprocessing(
    int SampleRate, double DurationSeconds, int WindowSize, int HopSize, int MelBins, double Fmin, double Fmax, bool ZNormalize, string Padding)
{
    public LogMelOptions LogMelOptions() => new() { SampleRate = SampleRate, WindowSize = WindowSize, HopSize = HopSize, MelBins = MelBins, FMin = Fmin, FMax = Fmax };
}

/// <summary>A class of a pre-trained CNN14's fc_audioset; Removed: its clips were held out by the leakage filter.</summary>
public sealed record PretrainedClass(int Index, string Mid, string DisplayName, bool Removed);

/// <summary>
/// The 'clapaudit' entry of a checkpoint written by <c>clapaudit pretrain</c> (a JSON string beside
/// 'model' and 'iteration'); <see cref="Checkpoints.Cnn14Checkpoint.Load(string, bool, Models.Cnn14Options?)"/>
/// returns it in <c>Metadata["clapaudit"]</c>. Absent from PANNs' own files.
/// </summary>
public sealed record PretrainedCnn14Metadata
{
    public const string FormatName = "clapaudit-pretrained-cnn14";
    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = 1;
    public long Iteration { get; init; }
    public int Epochs { get; init; }
    public int BestEpoch { get; init; }
    public bool Clean { get; init; }
    public IReadOnlyList<string> RemovedLabels { get; init; } = [];
    public required PretrainedPreprocessing Preprocessing { get; init; }
    public IReadOnlyList<PretrainedClass> Classes { get; init; } = [];
    public JsonElement Recipe { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The metadata of a checkpoint's Metadata dictionary, or null when the file has none (e.g. Cnn14_mAP=0.431.pth).</summary>
    public static PretrainedCnn14Metadata? From(IReadOnlyDictionary<string, string> metadata, string source = "checkpoint")
    {
        if (!metadata.TryGetValue(PannsCheckpointWriter.MetadataKey, out var text)) return null;
        try
        {
            var m = JsonSerializer.Deserialize<PretrainedCnn14Metadata>(text, Json);
            if (m is null || m.Format != FormatName) throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: 'clapaudit' entry is not a {FormatName}");
            return m;
        }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: 'clapaudit' entry is malformed ({e.Message})"); }
    }
}
