using System.CommandLine;
using ClapAudit.Common;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>
/// Runs a command body and turns failures into one clear stderr line and a meaningful exit code;
/// the stack trace is printed only with --verbose. Ctrl+C cancels the token the body receives.
/// </summary>
public static class CommandRunner
{
    public static void SetHandler(Command command, Func<ParseResult, CommandContext, CancellationToken, int> body) =>
        command.SetAction((parse, token) => Task.FromResult(Run(parse, token, body)));

    public static int Run(ParseResult parse, CancellationToken token, Func<ParseResult, CommandContext, CancellationToken, int> body)
    {
        var config = parse.InvocationConfiguration;
        var context = new CommandContext(config.Output, config.Error, parse.GetValue(CommonOptions.Verbose));
        try
        {
            return body(parse, context, token);
        }
        catch (Exception e) when (NativeRuntime.IsLoadFailure(e))
        {
            context.Error.WriteLine($"clapaudit: {NativeRuntime.Describe()}");
            if (context.Verbose) context.Error.WriteLine(e);
            return ExitCodes.NativeRuntime;
        }
        catch (ClapAuditException e)
        {
            context.Error.WriteLine($"clapaudit: {e.Message}");
            if (context.Verbose) context.Error.WriteLine(e);
            return ExitCodes.For(e.Kind);
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("clapaudit: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"clapaudit: {e.Message}");
            if (context.Verbose) context.Error.WriteLine(e);
            return e is FileNotFoundException or DirectoryNotFoundException ? ExitCodes.NotFound : ExitCodes.InvalidData;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"clapaudit: internal error: {e.Message}");
            context.Error.WriteLine(context.Verbose ? e.ToString() : "Run again with --verbose for the stack trace, and please report it.");
            return ExitCodes.InternalError;
        }
    }
}

/// <summary>What a command body needs from its invocation: where to write, and how talkative to be.</summary>
public sealed record CommandContext(TextWriter Output, TextWriter Error, bool Verbose);
