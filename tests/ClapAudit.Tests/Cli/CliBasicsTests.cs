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
    public void HelpListsTheCommands()
    {
        var (code, output, _) = CliTestHost.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("demo", output);
    }
}
