using System.CommandLine;
using ClapAudit.Common;
using ClapAudit.Data;

namespace ClapAudit.Cli.Commands;

/// <summary>Options shared by zeroshot and embed, declared once.</summary>
internal static class ModelOptions
{
    public static Option<string> Model(bool required = true) => new("--model")
    {
        HelpName = "RUN_DIR|CKPT",
        Description = "A ClapAudit run directory (best.ckpt, else last.ckpt), a .ckpt file, or msclap's CLAP_weights_2022.pth (needs --bert).",
        Required = required,
    };

    public static Option<string?> Bert() => new("--bert")
    {
        HelpName = "FOLDER",
        Description = "Hugging Face BERT folder (config.json, vocab.txt). Required for msclap checkpoints; a ClapAudit run uses its own text/ copy.",
    };

    public static Option<string> Esc50() => new("--esc50") { HelpName = "DIR", Description = "ESC-50 folder (meta/esc50.csv, audio/).", Required = true };

    public static Option<string?> Folds() => new("--folds") { HelpName = "1,2", Description = "Only these folds (1..5, comma-separated); default all." };

    public static Option<string> Prompt() => new("--prompt")
    {
        Description = "Prompt template; {class} becomes the class name.", DefaultValueFactory = _ => Esc50Options.DefaultPromptTemplate,
    };

    public static Option<bool> AllowMissing() => new("--allow-missing")
    {
        Description = "Go on when some clips of meta/esc50.csv have no audio file " +
                      "(their count and the first are printed); default: refuse.",
    };

    /// <summary>ESC-50 for zeroshot/embed: missing clips are an error, or with --allow-missing a warning.</summary>
    public static Esc50Dataset ReadEsc50(string folder, string? folds, bool allowMissing, TextWriter warnings)
    {
        var data = Esc50Reader.Read(folder, new Esc50Options(ParseFolds(folds)));
        if (data.CheckComplete(allowMissing) is { } warning) warnings.WriteLine($"warning: {warning}");
        return data;
    }

    public static Option<int> BatchSize() => new("--batch-size") { Description = "Clips per forward pass.", DefaultValueFactory = _ => 32 };

    public static Option<string> MelFilters() => new("--mel-filters")
    {
        HelpName = "computed|checkpoint", Description = "For PANNs/msclap weights: computed mel filters, or the checkpoint's own melW.", DefaultValueFactory = _ => "computed",
    };

    public static IReadOnlyList<int>? ParseFolds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var folds = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int f)) throw new ClapAuditException(ErrorKind.InvalidSetting, $"--folds: '{part}' is not a fold number (1..5)");
            folds.Add(f);
        }
        return folds;
    }
}
