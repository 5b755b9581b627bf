using System.Text;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>
/// Metadata is read as UTF-8 that throws on invalid bytes: the default decoder turns them into U+FFFD,
/// which then lands silently in captions and class names (and in the leakage filter's word match).
/// </summary>
public static class StrictUtf8
{
    public static readonly Encoding Encoding =
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True when <paramref name="e"/> (or what it wraps) is the decoder's complaint about bad bytes.</summary>
    public static bool IsInvalid(Exception e) =>
        e is DecoderFallbackException || e.InnerException is DecoderFallbackException;

    public static ClapAuditException Error(string file, int line, Exception e) =>
        new(ErrorKind.InvalidData, $"{file}:{line}: invalid UTF-8 text (the file must be UTF-8)", e);
}
