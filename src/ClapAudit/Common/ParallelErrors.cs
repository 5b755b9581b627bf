using System.Runtime.ExceptionServices;

namespace ClapAudit.Common;

/// <summary>
/// Parallel.For and Task.Wait wrap a worker's exception in an AggregateException, which hides its
/// kind: a corrupt WAV read on a worker thread would reach the CLI as an "internal error" instead of
/// "invalid data". Every parallel loop whose body can fail on user input runs through
/// <see cref="Run"/>, and the CLI unwraps whatever still arrives aggregated with <see cref="Unwrap"/>.
/// </summary>
public static class ParallelErrors
{
    /// <summary>Runs <paramref name="body"/>; an AggregateException becomes its most telling inner exception.</summary>
    public static void Run(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try { body(); }
        catch (AggregateException e) { ExceptionDispatchInfo.Capture(Unwrap(e)).Throw(); }
    }

    /// <summary>
    /// The exception that explains the failure: a <see cref="ClapAuditException"/> first (it names the file),
    /// then an I/O error, then any other non-cancellation error, then a cancellation; not aggregated.
    /// </summary>
    public static Exception Unwrap(Exception e)
    {
        if (e is not AggregateException aggregate) return e;
        var inner = aggregate.Flatten().InnerExceptions;
        if (inner.Count == 0) return e;
        return inner.FirstOrDefault(x => x is ClapAuditException)
            ?? inner.FirstOrDefault(x => x is IOException or UnauthorizedAccessException)
            ?? inner.FirstOrDefault(x => x is not OperationCanceledException)
            ?? inner[0];
    }
}
