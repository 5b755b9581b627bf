using System.Runtime.CompilerServices;

namespace ClapAudit.Common;

/// <summary>Checks at the boundary where data enters, with messages that carry actual and expected values.</summary>
public static class Guard
{
    public static void Setting(bool condition, string message)
    {
        if (!condition) throw new ClapAuditException(ErrorKind.InvalidSetting, message);
    }

    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value <= 0) throw new ClapAuditException(ErrorKind.InvalidSetting, $"{name} must be positive, got {value}");
    }

    public static void Positive(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!(value > 0)) throw new ClapAuditException(ErrorKind.InvalidSetting, $"{name} must be positive, got {value}");
    }

    public static void InRange(double value, double min, double max, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!(value >= min && value <= max))
            throw new ClapAuditException(ErrorKind.InvalidSetting, $"{name} must be in [{min}, {max}], got {value}");
    }

    public static void FileExists(string path, string what = "file")
    {
        if (File.Exists(path)) return;
        Unreadable(path, what);
        throw new ClapAuditException(ErrorKind.NotFound, $"{path}: {what} not found");
    }

    public static void DirectoryExists(string path, string what = "folder")
    {
        if (Directory.Exists(path)) return;
        Unreadable(path, what);
        throw new ClapAuditException(ErrorKind.NotFound, $"{path}: {what} not found");
    }

    /// <summary>An output folder that names an existing file: said as such, not as "already exists".</summary>
    public static void NotAFile(string folder, string what = "output folder")
    {
        if (File.Exists(folder))
            throw new ClapAuditException(ErrorKind.InvalidSetting, $"{folder}: is a file; the {what} must be a folder");
    }

    /// <summary>
    /// A path inside a folder the user may not read (chmod 000) does not "exist" to File.Exists: say
    /// that the folder is unreadable instead of that the file is missing.
    /// </summary>
    private static void Unreadable(string path, string what)
    {
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is null || !Directory.Exists(parent)) return;
        try { using var e = Directory.EnumerateFileSystemEntries(parent).GetEnumerator(); e.MoveNext(); }
        catch (UnauthorizedAccessException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{path}: cannot look for the {what}: permission denied on folder {parent}");
        }
        catch (IOException) { }
    }

    public static void Data(bool condition, string message)
    {
        if (!condition) throw new ClapAuditException(ErrorKind.InvalidData, message);
    }

    public static void Match(bool condition, string message)
    {
        if (!condition) throw new ClapAuditException(ErrorKind.Mismatch, message);
    }

    /// <summary>Throws a <see cref="ErrorKind.NonFinite"/> error naming the source and the first bad row.</summary>
    public static void AllFinite(ReadOnlySpan<float> values, int columns, string source)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ClapAuditException(ErrorKind.NonFinite,
                    $"{source}: {(float.IsNaN(values[i]) ? "NaN" : "Inf")} at row {i / Math.Max(columns, 1)}, column {i % Math.Max(columns, 1)}");
    }

    /// <inheritdoc cref="AllFinite(ReadOnlySpan{float}, int, string)"/>
    public static void AllFinite(ReadOnlySpan<double> values, int columns, string source)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ClapAuditException(ErrorKind.NonFinite,
                    $"{source}: {(double.IsNaN(values[i]) ? "NaN" : "Inf")} at row {i / Math.Max(columns, 1)}, column {i % Math.Max(columns, 1)}");
    }
}
