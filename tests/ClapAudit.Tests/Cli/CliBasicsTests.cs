using ClapAudit.Cli;

namespace ClapAudit.Tests.Cli;

public class CliBasicsTests
{
    [Fact]
    public void UnknownCommandIsAUsageErrorWithExitCode2()
    {
        var (code, _, err) = CliTestHost.Run("no-such-command");
        Assert.Equal(2, code);
        Assert.Contains("no-such-command", err);
    }

    [Fact]
    public void HelpNamesTheProgramAsUsersTypeItAndListsEveryCommand()
    {
        var (code, output, _) = CliTestHost.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:\n  clapaudit [command] [options]", output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("ClapAudit.Cli", output);
        foreach (var command in Program.BuildRoot().Subcommands)
            Assert.Matches($"(?m)^  {command.Name} ", output);
    }

    [Fact]
    public void EveryCommandsHelpSaysClapaudit()
    {
        foreach (var command in Program.BuildRoot().Subcommands)
        {
            var (code, output, _) = CliTestHost.Run(command.Name, "--help");
            Assert.Equal(0, code);
            Assert.Contains($"clapaudit {command.Name}", output);
        }
    }

    [Fact]
    public void VersionPrintsTheInformationalVersion()
    {
        var (code, output, _) = CliTestHost.Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+", output.Trim());
    }
}
