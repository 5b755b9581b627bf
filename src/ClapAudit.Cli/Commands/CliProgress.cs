using ClapAudit.Cli.Infrastructure;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary>
/// Console helpers for the model commands: a Spectre console on a writer, and a progress bar on
/// standard error when it is a terminal (redirected or in-process runs get no live bar).
/// </summary>
internal static class CliProgress
{
    public static IAnsiConsole Console(TextWriter writer) => Consoles.Create(writer, interactive: false);

    /// <summary>True when a live bar can be drawn on <paramref name="ctx"/>'s error stream.</summary>
    public static bool Live(CommandContext ctx) => ReferenceEquals(ctx.Error, System.Console.Error) && !System.Console.IsErrorRedirected;

    public static IAnsiConsole ErrorConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Error),
        Interactive = InteractionSupport.Yes,
    });

    /// <summary>Runs <paramref name="work"/> with a bar of <paramref name="total"/> items (a bar only on a terminal).</summary>
    public static T Items<T>(CommandContext ctx, string description, int total, Func<IProgress<int>?, T> work)
    {
        if (!Live(ctx)) return work(null);
        T result = default!;
        ErrorConsole().Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(p =>
            {
                var task = p.AddTask(description, maxValue: Math.Max(1, total));
                result = work(new SyncProgress<int>(done => task.Value = done));
                task.Value = task.MaxValue;
            });
        return result;
    }
}

/// <summary>IProgress that calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
