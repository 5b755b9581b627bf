namespace ClapAudit.Tests.Cli;

/// <summary>Runs the CLI in-process and captures what it writes.</summary>
public static class CliTestHost
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = ClapAudit.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
