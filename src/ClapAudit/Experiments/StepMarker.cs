using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Common;

namespace ClapAudit.Experiments;

public enum StepState { Pending, Running, Interrupted, Failed, Done }

/// <summary>
/// The state of a step, kept in <c>.step.json</c> inside the step's folder and written atomically.
/// "running" with a process that no longer exists reads as interrupted.
/// </summary>
public sealed record StepMarker
{
    public const string FileName = ".step.json";
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public StepState State { get; init; }
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    public int? ProcessId { get; init; }
    /// <summary>The step's key figure, e.g. "top-1 0.48" or "12,345 train / 3,086 val pairs".</summary>
    public string? Summary { get; init; }
    public Dictionary<string, double>? Values { get; init; }
    public string? Error { get; init; }

    [JsonIgnore]
    public TimeSpan? Duration => Started is not null && Finished is not null ? Finished - Started : null;

    public static StepMarker Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return new StepMarker { State = StepState.Pending };
        StepMarker marker;
        try
        {
            marker = JsonSerializer.Deserialize<StepMarker>(File.ReadAllText(path), Json) ?? new StepMarker();
        }
        catch (JsonException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: unreadable step marker ({e.Message}); delete it to rerun the step");
        }
        return marker.State == StepState.Running && !IsAlive(marker.ProcessId) ? marker with { State = StepState.Interrupted } : marker;
    }

    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));
    }

    private static bool IsAlive(int? pid)
    {
        if (pid is null) return false;
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = Process.GetProcessById(pid.Value);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
