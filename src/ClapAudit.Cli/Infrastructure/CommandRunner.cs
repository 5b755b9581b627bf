using System.CommandLine;
using System.Runtime.InteropServices;
using ClapAudit.Common;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>
/// Runs a command body and turns failures into one clear stderr line and a meaningful exit code;
/// the stack trace is printed only with --verbose. Ctrl+C (SIGINT) or SIGTERM cancels the token the body
/// receives; a second signal ends the process at once.
/// </summary>
public static class CommandRunner
{
    // System.CommandLine registers its own termination handler only after an async action has returned
    // its Task, and these bodies are synchronous: by then the work is over and the signal has killed the
    // process. So the runner registers the signals itself, before the body starts.
    public static void SetHandler(Command command, Func<ParseResult, CommandContext, CancellationToken, int> body) =>
        command.SetAction((parse, token) => Task.FromResult(Run(parse, token, body)));

    public static int Run(ParseResult parse, CancellationToken token,
        Func<ParseResult, CommandContext, CancellationToken, int> body)
    {
        var config = parse.InvocationConfiguration;
        var context = new CommandContext(config.Output, config.Error, parse.GetValue(CommonOptions.Verbose));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var signals = new SignalCancellation(cancel, context.Error);
        try
        {
            return body(parse, context, cancel.Token);
        }
        catch (Exception e)
        {
            return Fail(ParallelErrors.Unwrap(e), context);
        }
    }

    private static int Fail(Exception e, CommandContext context)
    {
        if (NativeRuntime.IsLoadFailure(e))
        {
            context.Error.WriteLine($"clapaudit: {NativeRuntime.Describe()}");
            if (context.Verbose) context.Error.WriteLine(e);
            return ExitCodes.NativeRuntime;
        }
        switch (e)
        {
            case ClapAuditException c:
                context.Error.WriteLine($"clapaudit: {c.Message}");
                if (context.Verbose) context.Error.WriteLine(c);
                return ExitCodes.For(c.Kind);
            case OperationCanceledException:
                context.Error.WriteLine("clapaudit: cancelled.");
                return ExitCodes.Cancelled;
            case IOException or UnauthorizedAccessException:
                context.Error.WriteLine($"clapaudit: {e.Message}");
                if (context.Verbose) context.Error.WriteLine(e);
                return e is FileNotFoundException or DirectoryNotFoundException
                    ? ExitCodes.NotFound : ExitCodes.InvalidData;
            default:
                context.Error.WriteLine($"clapaudit: internal error: {e.Message}");
                context.Error.WriteLine(context.Verbose ? e.ToString()
                    : "Run again with --verbose for the stack trace, and please report it.");
                return ExitCodes.InternalError;
        }
    }

    /// <summary>
    /// The first SIGINT/SIGTERM cancels the token and keeps the process alive so the body can save its
    /// state and return 130; the second is left to the default action (the process ends).
    /// </summary>
    private sealed class SignalCancellation : IDisposable
    {
        private readonly CancellationTokenSource _cancel;
        private readonly TextWriter _error;
        private readonly List<PosixSignalRegistration> _registrations = [];
        private int _received;

        public SignalCancellation(CancellationTokenSource cancel, TextWriter error)
        {
            _cancel = cancel;
            _error = error;
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                try { _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal)); }
                catch (PlatformNotSupportedException) { }
            }
        }

        private void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref _received) > 1) return;
            context.Cancel = true;
            try { _error.WriteLine("clapaudit: stopping (saving state; press Ctrl+C again to quit at once)..."); }
            catch (ObjectDisposedException) { }
            _cancel.Cancel();
        }

        public void Dispose()
        {
            foreach (var r in _registrations) r.Dispose();
        }
    }
}

/// <summary>What a command body needs from its invocation: where to write, and how talkative to be.</summary>
public sealed record CommandContext(TextWriter Output, TextWriter Error, bool Verbose);
