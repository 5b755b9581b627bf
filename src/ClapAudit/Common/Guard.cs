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
        if (!File.Exists(path)) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: {what} not found");
    }

    public static void DirectoryExists(string path, string what = "folder")
    {
        if (!Directory.Exists(path)) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: {what} not found");
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
