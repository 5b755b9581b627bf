using Spectre.Console;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>Spectre consoles over a command's writer: colour and live progress only on a real terminal.</summary>
public static class Consoles
{
    /// <summary>
    /// Width of a console that is not a terminal (a log file, a pipe, a test's writer): wide enough that no table
    /// is ever cut or wrapped, since nobody will resize the window to see the right-hand columns. Tables take only
    /// the width their content needs, so this does not pad anything.
    /// </summary>
    public const int RedirectedWidth = 4096;

    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <param name="writer">Where the console writes.</param>
    /// <param name="interactive">False for consoles that must never draw live widgets, even on a terminal.</param>
    public static IAnsiConsole Create(TextWriter writer, bool interactive = true)
    {
        bool terminal = IsTerminal(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal && interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = RedirectedWidth;
        return console;
    }
}
