using ClapAudit.Common;

namespace ClapAudit.Cli.Infrastructure;

/// <summary>Exit codes that mean something to a script; documented in docs/cli.md.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int InvalidData = 4;
    public const int Mismatch = 5;
    public const int NonFinite = 6;
    /// <summary>TorchSharp's native layer does not load here (the set-up of ./clapaudit was bypassed or failed).</summary>
    public const int NativeRuntime = 7;
    public const int Cancelled = 130;

    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => NotFound,
        ErrorKind.InvalidData => InvalidData,
        ErrorKind.Mismatch => Mismatch,
        ErrorKind.NonFinite => NonFinite,
        ErrorKind.InvalidSetting => Usage,
        _ => InternalError,
    };
}
