using Spectre.Console;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>Spectre consoles over a command's writer: colour and live progress only on a real terminal.</summary>
public static class Consoles
{
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    public static IAnsiConsole Create(TextWriter writer)
    {
        bool terminal = IsTerminal(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 120;
        return console;
    }
}
