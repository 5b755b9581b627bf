using System.Runtime.InteropServices;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// A path inside a folder the user may not read (chmod 000) is said to be unreadable, not missing (issue 20,
/// item 11). Root reads through any mode bits, so as root the folder is not unreadable and the case cannot be
/// made: the test is skipped then, saying so, and runs for any other user.
/// </summary>
public class UnreadableFolderTests
{
    [DllImport("libc")]
    private static extern uint geteuid();

    [SkippableFact]
    public void APathInsideAChmod000FolderIsUnreadableNotMissing()
    {
        if (OperatingSystem.IsWindows()) throw new SkipException("needs POSIX permissions (chmod)");
        Skip.If(geteuid() == 0,
            "running as root (euid 0): chmod 000 does not stop root from reading a folder, so the unreadable case " +
            "cannot be made; run the tests as another user to check it");
        using var tmp = Fixtures.TempDir();
        string locked = tmp.File("locked");
        Directory.CreateDirectory(locked);
        string file = Path.Combine(locked, "model.pth");
        File.Copy(Fixtures.Path("models", "cnn14-tiny.pth"), file);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var (code, _, err) = CliTestHost.Run("inspect", file);
            Assert.Equal(4, code);
            Assert.Contains($"clapaudit: {file}: cannot look for the checkpoint or model folder: permission denied on folder {locked}", err);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Readable again: the same command reads it.
        Assert.Equal(0, CliTestHost.Run("inspect", file).Code);
    }
}
