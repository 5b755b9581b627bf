namespace ClapAudit.Common;

/// <summary>What went wrong, in the terms the CLI maps to an exit code.</summary>
public enum ErrorKind
{
    /// <summary>A file or folder the user named does not exist.</summary>
    NotFound,
    /// <summary>A file exists but its content is malformed, truncated or of the wrong type.</summary>
    InvalidData,
    /// <summary>Inputs are each valid but do not fit together (shapes, keys, lengths).</summary>
    Mismatch,
    /// <summary>A setting or argument has a value outside its allowed range.</summary>
    InvalidSetting,
    /// <summary>Numbers went non-finite (NaN/Inf) where they must not.</summary>
    NonFinite,
}

/// <summary>
/// An error caused by the user's input or settings, with a message that names the file, key or
/// line at fault and what was expected. The CLI prints the message alone (no stack trace).
/// </summary>
public class ClapAuditException : Exception
{
    public ErrorKind Kind { get; }

    public ClapAuditException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;
}
