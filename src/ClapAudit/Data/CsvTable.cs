using System.Globalization;
using ClapAudit.Common;
using CsvHelper;
using CsvHelper.Configuration;

namespace ClapAudit.Data;

/// <summary>
/// Thin wrapper over CsvHelper for the published metadata files: RFC 4180 quoting (captions with
/// commas, doubled quotes, line breaks), a required-column check that names the file and line,
/// and the line number of each record for problem reports.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    private readonly StreamReader _reader;
    private readonly CsvReader _csv;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    public string File { get; }

    private CsvTable(string file, CsvConfiguration config)
    {
        File = file;
        _reader = new StreamReader(file, StrictUtf8.Encoding, detectEncodingFromByteOrderMarks: true,
            bufferSize: 1 << 16);
        _csv = new CsvReader(_reader, config);
    }

    /// <summary>Opens a CSV with a header row and checks that it has every required column.</summary>
    public static CsvTable OpenWithHeader(string file, params string[] required)
    {
        Guard.FileExists(file, "metadata file");
        var table = new CsvTable(file, Config(trim: false));
        try
        {
            if (!table._csv.Read() || !table._csv.ReadHeader())
                throw new ClapAuditException(ErrorKind.InvalidData, $"{file}:1: empty file, expected a header with columns {string.Join(", ", required)}");
            var header = table._csv.HeaderRecord!;
            table._lastLine = table.Line;
            for (int i = 0; i < header.Length; i++) table._columns.TryAdd(header[i].Trim(), i);
            foreach (var col in required)
                if (!table._columns.ContainsKey(col))
                    throw new ClapAuditException(ErrorKind.InvalidData,
                        $"{file}:1: missing column '{col}' (header has: {string.Join(", ", header)}; expected {string.Join(", ", required)})");
            return table;
        }
        catch (Exception e) when (StrictUtf8.IsInvalid(e))
        {
            table.Dispose();
            throw StrictUtf8.Error(file, 1, e);
        }
        catch (CsvHelperException e)
        {
            table.Dispose();
            throw new ClapAuditException(ErrorKind.InvalidData, $"{file}:1: unreadable CSV header: {FirstLine(e.Message)}", e);
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>Opens a header-less CSV whose '#' lines are comments and whose fields may be padded with spaces (AudioSet segments).</summary>
    public static CsvTable OpenCommented(string file)
    {
        Guard.FileExists(file, "metadata file");
        var config = Config(trim: true);
        config.AllowComments = true;
        config.Comment = '#';
        config.HasHeaderRecord = false;
        return new CsvTable(file, config);
    }

    private static CsvConfiguration Config(bool trim) => new(CultureInfo.InvariantCulture)
    {
        HasHeaderRecord = true,
        MissingFieldFound = null,
        BadDataFound = null,
        DetectColumnCountChanges = false,
        IgnoreBlankLines = true,
        TrimOptions = trim ? TrimOptions.Trim : TrimOptions.None,
    };

    /// <summary>Advances to the next record; false at the end. Malformed CSV throws naming file and line.</summary>
    public bool Read()
    {
        int start = _lastLine + 1;
        bool read;
        try { read = _csv.Read(); }
        catch (Exception e) when (StrictUtf8.IsInvalid(e))
        {
            throw StrictUtf8.Error(File, Math.Max(start, Line), e);
        }
        catch (CsvHelperException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{File}:{Line}: unreadable CSV: {FirstLine(e.Message)}", e);
        }
        if (read && IsUnterminated(_csv.Parser.RawRecord))
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{File}:{start}: unterminated quote: the quoted field opened on line {start} runs to line {Line}, " +
                "swallowing the rows between; close the quote (a quote inside a quoted field is written \"\")");
        _lastLine = Line;
        return read;
    }

    private int _lastLine;

    /// <summary>
    /// A record with an odd number of quotes that spans lines: a quote was opened and never closed, so
    /// CsvHelper read every following line into one field. (An odd quote within one line is a stray
    /// quote in an unquoted field, which CsvHelper keeps as text.)
    /// </summary>
    private static bool IsUnterminated(string raw)
    {
        int quotes = 0;
        foreach (char c in raw) if (c == '"') quotes++;
        return quotes % 2 == 1 && raw.TrimEnd('\r', '\n').Contains('\n');
    }

    /// <summary>The line on which the current record ends (1-based; equals its start unless a field holds a line break).</summary>
    public int Line => _csv.Parser.RawRow;

    public int FieldCount => _csv.Parser.Count;

    /// <summary>The named column's value (the column was checked at open), or "" if the row is short.</summary>
    public string this[string column]
    {
        get
        {
            int i = _columns[column];
            return i < _csv.Parser.Count ? _csv.Parser[i] ?? "" : "";
        }
    }

    public string this[int index] => index < _csv.Parser.Count ? _csv.Parser[index] ?? "" : "";

    public bool HasColumn(string column) => _columns.ContainsKey(column);

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    public void Dispose()
    {
        _csv.Dispose();
        _reader.Dispose();
    }
}
