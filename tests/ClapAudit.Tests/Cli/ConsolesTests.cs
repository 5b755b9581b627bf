using ClapAudit.Cli.Infrastructure;
using Spectre.Console;

namespace ClapAudit.Tests.Cli;

public class ConsolesTests
{
    [Fact]
    public void AWideTableIsPrintedWholeWhenTheOutputIsNotATerminal()
    {
        // A log file or pipe has no window to widen: Table 3 and the correlations (about 150 columns) must not lose
        // their right-hand columns or wrap mid-cell, as they did at the former fixed width.
        var writer = new StringWriter();
        var console = Consoles.Create(writer);
        var table = new Table();
        var cells = Enumerable.Range(0, 12).Select(i => $"column-{i:00}-value").ToArray();
        foreach (var c in cells) table.AddColumn(c);
        table.AddRow(cells);
        console.Write(table);

        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string header = lines.First(l => l.Contains("column-00-value"));
        foreach (var c in cells) Assert.Contains(c, header);
        Assert.True(header.Length > 200, $"the table is {header.Length} columns wide");
        Assert.DoesNotContain("…", writer.ToString());
    }
}
