using System.CommandLine;
using ClapAudit.Cli.Commands;
using ClapAudit.Cli.Infrastructure;

namespace ClapAudit.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args);

    /// <summary>Parses and runs one command line; the test suite calls this in-process.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var root = BuildRoot();
        var config = new InvocationConfiguration
        {
            Output = stdout ?? Console.Out,
            Error = stderr ?? Console.Error,
            // Signals are handled by CommandRunner (before the body runs); System.CommandLine's own handler
            // would be registered only after a synchronous body had finished.
            ProcessTerminationTimeout = null,
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && !parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?"))
        {
            var err = config.Error;
            foreach (var e in parse.Errors) err.WriteLine($"clapaudit: {e.Message}");
            err.WriteLine("Run 'clapaudit --help' (or 'clapaudit COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }
        return parse.Invoke(config);
    }

    /// <summary>
    /// The command tree. The root is a plain <see cref="Command"/> named "clapaudit" rather than System.CommandLine's
    /// RootCommand, whose name (shown in every usage line) is the entry assembly's file name, "ClapAudit.Cli", which
    /// no user types; the help and version options RootCommand would add are added here.
    /// </summary>
    internal static Command BuildRoot()
    {
        var root = new Command("clapaudit",
            "ClapAudit: train CLAP-style audio-text contrastive models and audit their zero-shot claims for data leakage.\n" +
            "Exit codes: 0 ok, 1 internal error, 2 usage or setting, 3 file not found, 4 invalid data, 5 mismatch, 6 non-finite values, 7 native runtime not loadable, 130 cancelled.");
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(CommonOptions.Verbose);
        // One line per command; each command class declares its own options.
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(EmbedTextCommand.Create());
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(GridCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(PretrainTextCommand.Create());
        root.Subcommands.Add(EmbedAudioCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ZeroShotCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        return root;
    }
}
