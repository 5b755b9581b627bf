namespace ClapAudit.Cli.Commands;

/// <summary>One text a line, from a file or standard input; a final newline adds no empty line.</summary>
internal static class TextInput
{
    public static List<string> ReadLines(string? file)
    {
        if (file is not null)
        {
            if (!File.Exists(file)) throw new Common.ClapAuditException(Common.ErrorKind.NotFound, $"{file}: text file not found");
            return File.ReadAllLines(file).ToList();
        }
        var lines = new List<string>();
        string? line;
        while ((line = Console.In.ReadLine()) is not null) lines.Add(line);
        return lines;
    }
}
