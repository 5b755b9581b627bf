using System.Text.Json;
using ClapAudit.Common;
using ClapAudit.Training;

namespace ClapAudit.Experiments;

public enum GridEvent { StepSkipped, StepStarted, StepProgress, StepDone, StepFailed, StepBlocked }

/// <summary>Progress of a grid run; <see cref="Training"/> carries the inner trainer's events for a progress bar.</summary>
public sealed record GridProgress(GridEvent Event, GridStep Step, int Index, int Count)
{
    public string? Message { get; init; }
    public TrainingProgress? Training { get; init; }
}

public sealed record GridRunResult(int Done, int Skipped, int Failed, int Blocked, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Failed == 0 && Blocked == 0;
}

/// <summary>
/// Runs a grid's steps in order. A step whose folder holds a "done" marker is skipped, so killing a
/// grid and running it again loses at most the step in progress (and that step resumes from its own
/// checkpoint when it is a training). After each step <c>grid.json</c> is rewritten, so a report can be
/// made from a partial grid at any time.
/// </summary>
public static class GridRunner
{
    /// <remarks>
    /// <c>retries</c>: times a failed step is run again before it counts as failed. A training step resumes
    /// from its own checkpoint, so a transient failure (a native library fault, a full disk that was cleared) costs little.
    /// </remarks>
    public static GridRunResult Run(GridPlan plan, IGridSteps steps, IProgress<GridProgress>? progress = null,
        bool keepGoing = false, CancellationToken cancellationToken = default, int retries = 1)
    {
        Directory.CreateDirectory(plan.GridDirectory);
        RefuseChangedSettings(plan);
        SaveConfig(plan);
        GridIndex.Write(plan);

        int done = 0, skipped = 0, failed = 0, blocked = 0;
        var errors = new List<string>();
        var unavailable = new HashSet<string>();
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            string folder = plan.PathOf(step.Folder);
            var marker = StepMarker.Read(folder);
            if (marker.State == StepState.Done)
            {
                skipped++;
                progress?.Report(new GridProgress(GridEvent.StepSkipped, step, i, plan.Steps.Count) { Message = marker.Summary });
                continue;
            }
            if (step.DependsOn.FirstOrDefault(unavailable.Contains) is string missing)
            {
                blocked++;
                unavailable.Add(step.Name);
                progress?.Report(new GridProgress(GridEvent.StepBlocked, step, i, plan.Steps.Count) { Message = $"needs '{missing}', which failed" });
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            for (int attempt = 0; ; attempt++)
            {
                var started = DateTimeOffset.UtcNow;
                new StepMarker { State = StepState.Running, Started = started, ProcessId = Environment.ProcessId }.Write(folder);
                progress?.Report(new GridProgress(GridEvent.StepStarted, step, i, plan.Steps.Count));
                try
                {
                    var text = new SyncProgress<string>(m => progress?.Report(new GridProgress(GridEvent.StepProgress, step, i, plan.Steps.Count) { Message = m }));
                    var training = new SyncProgress<TrainingProgress>(t => progress?.Report(new GridProgress(GridEvent.StepProgress, step, i, plan.Steps.Count) { Training = t, Message = t.Message }));
                    var outcome = step.Kind switch
                    {
                        GridStepKind.Data => steps.PrepareData(plan, step.Variant!, text, cancellationToken),
                        GridStepKind.Pretrain => steps.Pretrain(plan, step.Variant!, training, cancellationToken),
                        GridStepKind.Backbones => steps.EmbedBackbones(plan, step.Variant!, text, cancellationToken),
                        GridStepKind.Train => steps.Train(plan, step.Setup!, training, cancellationToken),
                        GridStepKind.ZeroShot => steps.ZeroShot(plan, step.Setup!, text, cancellationToken),
                        GridStepKind.Embed => steps.Embed(plan, step.Setup!, text, cancellationToken),
                        _ => throw new InvalidOperationException(step.Kind.ToString()),
                    };
                    cancellationToken.ThrowIfCancellationRequested();
                    new StepMarker { State = StepState.Done, Started = started, Finished = DateTimeOffset.UtcNow, Summary = outcome.Summary, Values = outcome.Values }.Write(folder);
                    done++;
                    progress?.Report(new GridProgress(GridEvent.StepDone, step, i, plan.Steps.Count) { Message = outcome.Summary });
                    break;
                }
                catch (OperationCanceledException)
                {
                    // Leave "running" behind: once this process is gone it reads as interrupted, and the step resumes.
                    GridIndex.Write(plan);
                    throw;
                }
                catch (Exception e) when (e is not OperationCanceledException && attempt < retries)
                {
                    new StepMarker { State = StepState.Failed, Started = started, Finished = DateTimeOffset.UtcNow, Error = e.Message }.Write(folder);
                    progress?.Report(new GridProgress(GridEvent.StepProgress, step, i, plan.Steps.Count) { Message = $"failed ({FirstLine(e.Message)}); trying again" });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Any failure of one step (a bad file, a native fault) is that step's: record it and let the grid decide.
                    failed++;
                    unavailable.Add(step.Name);
                    errors.Add($"{step.Name}: {FirstLine(e.Message)}");
                    new StepMarker { State = StepState.Failed, Started = started, Finished = DateTimeOffset.UtcNow, Error = e.Message }.Write(folder);
                    progress?.Report(new GridProgress(GridEvent.StepFailed, step, i, plan.Steps.Count) { Message = FirstLine(e.Message) });
                    if (!keepGoing)
                    {
                        GridIndex.Write(plan);
                        return new GridRunResult(done, skipped, failed, plan.Steps.Count - i - 1, errors);
                    }
                    break;
                }
            }
            GridIndex.Write(plan);
        }
        return new GridRunResult(done, skipped, failed, blocked, errors);
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>The resolved config as JSON in the grid folder, so that <c>grid status</c> needs only the folder.</summary>
    public static string ConfigPath(string gridDirectory) => Path.Combine(gridDirectory, "config.json");

    /// <summary>
    /// Finished steps are reused by folder, so a rerun with other settings would silently mix old and new
    /// results: refuse it, naming what changed. (Setups may be added or dropped: each has its own folder.)
    /// </summary>
    private static void RefuseChangedSettings(GridPlan plan)
    {
        if (!File.Exists(ConfigPath(plan.GridDirectory))) return;
        var saved = LoadSavedConfig(plan.GridDirectory);
        var changed = plan.Config.ResultDifferences(saved with { Setups = plan.Config.Setups });
        if (changed.Count > 0)
            throw new ClapAuditException(ErrorKind.InvalidSetting,
                $"{plan.GridDirectory} was run with other settings ({string.Join(", ", changed)} differ); " +
                "use another output folder, or delete this one to start over");
    }

    private static void SaveConfig(GridPlan plan) =>
        AtomicFile.WriteAllText(ConfigPath(plan.GridDirectory), JsonSerializer.Serialize(plan.Config, GridIndex.JsonOptions));

    public static GridConfig LoadSavedConfig(string gridDirectory)
    {
        string path = ConfigPath(gridDirectory);
        if (!File.Exists(path))
            throw new ClapAuditException(ErrorKind.NotFound, $"{gridDirectory}: not a grid folder (no config.json; run 'clapaudit grid --config FILE --out {gridDirectory}' first)");
        return JsonSerializer.Deserialize<GridConfig>(File.ReadAllText(path), GridIndex.JsonOptions)
            ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: empty grid config");
    }

    /// <summary>Every step with its state and key figure, for <c>grid status</c>.</summary>
    public static IReadOnlyList<(GridStep Step, StepMarker Marker)> Status(GridPlan plan) =>
        plan.Steps.Select(s => (s, StepMarker.Read(plan.PathOf(s.Folder)))).ToArray();

}
