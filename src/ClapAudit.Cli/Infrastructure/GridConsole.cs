using System.Globalization;
using ClapAudit.Experiments;
using ClapAudit.Training;
using Spectre.Console;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>
/// Shows a grid run: on a terminal a live display (overall steps, the current step's epochs with loss,
/// clips/s and ETA); elsewhere one plain line per event worth logging. Shared by <c>grid</c> and <c>demo</c>.
/// </summary>
public static class GridConsole
{
    public static GridRunResult Run(IAnsiConsole console, bool live, Func<IProgress<GridProgress>, GridRunResult> run)
    {
        if (!live) return run(new LineProgress(console));
        GridRunResult? result = null;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask("grid", maxValue: 1);
                ProgressTask? current = null;
                var sink = new LiveProgress(p =>
                {
                    overall.MaxValue = p.Count;
                    overall.Description = $"grid: step {p.Index + 1}/{p.Count}";
                    switch (p.Event)
                    {
                        case GridEvent.StepStarted:
                            current = ctx.AddTask(Markup.Escape(p.Step.Name), maxValue: 1);
                            current.IsIndeterminate = true;
                            break;
                        case GridEvent.StepProgress when current is not null && p.Training is { } t:
                            if (t.StepsInEpoch > 0)
                            {
                                current.IsIndeterminate = false;
                                current.MaxValue = t.StepsInEpoch;
                                current.Value = Math.Min(t.Step, t.StepsInEpoch);
                            }
                            current.Description = Markup.Escape($"{p.Step.Name}: {Describe(t)}");
                            break;
                        case GridEvent.StepDone or GridEvent.StepFailed:
                            if (current is not null)
                            {
                                current.IsIndeterminate = false;
                                current.Value = current.MaxValue;
                                current.Description = Markup.Escape($"{p.Step.Name}: {(p.Event == GridEvent.StepDone ? "" : "FAILED ")}{p.Message}");
                                current.StopTask();
                            }
                            overall.Increment(1);
                            break;
                        case GridEvent.StepSkipped:
                            ctx.AddTask(Markup.Escape($"{p.Step.Name}: done earlier ({p.Message})"), maxValue: 1).Increment(1);
                            overall.Increment(1);
                            break;
                        case GridEvent.StepBlocked:
                            overall.Increment(1);
                            break;
                    }
                });
                result = run(sink);
            });
        return result!;
    }

    /// <summary>The key facts of a training event, e.g. "epoch 3 step 12/40 loss 1.234 val 1.301 85 clips/s ETA 0:02:10".</summary>
    public static string Describe(TrainingProgress t)
    {
        var parts = new List<string> { $"epoch {t.Epoch}" };
        if (t.StepsInEpoch > 0) parts.Add($"step {t.Step}/{t.StepsInEpoch}");
        if (!double.IsNaN(t.Loss)) parts.Add($"loss {F(t.Loss)}");
        if (!double.IsNaN(t.ValLoss)) parts.Add($"val {F(t.ValLoss)}");
        if (t.ClipsPerSecond > 0) parts.Add($"{t.ClipsPerSecond:0} clips/s");
        if (t.Eta is TimeSpan eta) parts.Add($"ETA {eta:h\\:mm\\:ss}");
        if (t.Message is not null && t.Event != TrainingEvent.Step) parts.Add(t.Message);
        return string.Join(" ", parts);
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    private sealed class LiveProgress(Action<GridProgress> report) : IProgress<GridProgress>
    {
        private readonly object _gate = new();
        public void Report(GridProgress value) { lock (_gate) report(value); }
    }

    /// <summary>Plain lines for logs and CI: step starts and ends, epoch ends, and inner messages.</summary>
    private sealed class LineProgress(IAnsiConsole console) : IProgress<GridProgress>
    {
        private readonly object _gate = new();
        public void Report(GridProgress p)
        {
            string head = $"[{p.Index + 1,2}/{p.Count}] {p.Step.Name}";
            string? line = p.Event switch
            {
                GridEvent.StepSkipped => $"{head}: done earlier ({p.Message})",
                GridEvent.StepStarted => $"{head}: started",
                GridEvent.StepDone => $"{head}: {p.Message}",
                GridEvent.StepFailed => $"{head}: FAILED: {p.Message}",
                GridEvent.StepBlocked => $"{head}: not run: {p.Message}",
                GridEvent.StepProgress when p.Training is { } t && t.Event is TrainingEvent.EpochEnd or TrainingEvent.PhaseChange or TrainingEvent.ItemSkipped or TrainingEvent.Resumed or TrainingEvent.NormCalibrated
                    => $"{head}: {Describe(t)}",
                GridEvent.StepProgress when p.Training is null && p.Message is not null => $"{head}: {p.Message}",
                _ => null,
            };
            if (line is null) return;
            lock (_gate) console.WriteLine(line);
        }
    }
}
