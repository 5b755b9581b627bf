using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Analysis;
using ClapAudit.Common;

namespace ClapAudit.Report;

/// <summary>
/// The one place where audit results become JSON: <c>analyze --json</c> (<see cref="AnalyzeDocument"/>) and
/// report.json (<see cref="ReportDocument"/>), by System.Text.Json source generation. Names are snake_case unless a
/// record says otherwise; enums have one spelling each; NaN and infinities are written as null.
/// </summary>
public static class ResultJson
{
    public static string ToText(AnalyzeDocument document) =>
        JsonSerializer.Serialize(document, ResultJsonContext.Default.AnalyzeDocument) + "\n";

    public static string ToText(ReportDocument document) =>
        JsonSerializer.Serialize(document, ResultJsonContext.Default.ReportDocument) + "\n";

    /// <summary>Writes the document atomically (name.tmp, then rename).</summary>
    public static void Write(string path, AnalyzeDocument document) => AtomicFile.WriteAllText(path, ToText(document));

    public static void Write(string path, ReportDocument document) => AtomicFile.WriteAllText(path, ToText(document));
}

/// <summary>Writes a non-finite double as null (JSON has no NaN); reads null back as NaN.</summary>
public sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    Converters = [typeof(FiniteDoubleConverter)])]
[JsonSerializable(typeof(AnalyzeDocument))]
[JsonSerializable(typeof(ReportDocument))]
internal sealed partial class ResultJsonContext : JsonSerializerContext;
