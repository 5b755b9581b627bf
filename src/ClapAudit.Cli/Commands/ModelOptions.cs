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

    public static Option<string?> UrbanSound8k() => new("--urbansound8k")
    {
        HelpName = "DIR",
        Description = "Test on UrbanSound8K instead (metadata/UrbanSound8K.csv, audio/fold1..10/; --folds 1..10).",
    };

    public static Option<string?> LabelledFolder() => new("--folder")
    {
        HelpName = "DIR",
        Description = "Test on a labelled folder instead: DIR/<class name>/*.wav|flac|mp3|ogg (GTZAN-style).",
    };

    /// <summary>The one test set named by --esc50, --urbansound8k or --folder.</summary>
    /// <summary>The one test set named on the command line; missing clips are an error, or with --allow-missing a
    /// warning on <paramref name="warnings"/>.</summary>
    public static ZeroShotTestSet ReadTestSet(string? esc50, string? urbanSound8k, string? folder, string? folds,
        bool allowMissing, TextWriter warnings)
    {
        var data = ReadNamedTestSet(esc50, urbanSound8k, folder, folds);
        if (data.CheckComplete(allowMissing) is { } warning) warnings.WriteLine($"warning: {warning}");
        return data;
    }

    private static ZeroShotTestSet ReadNamedTestSet(string? esc50, string? urbanSound8k, string? folder, string? folds)
    {
        int given = (esc50 is null ? 0 : 1) + (urbanSound8k is null ? 0 : 1) + (folder is null ? 0 : 1);
        Guard.Setting(given == 1, "name exactly one test set: --esc50 DIR, --urbansound8k DIR or --folder DIR");
        if (urbanSound8k is not null) return LabelledTestSets.UrbanSound8k(urbanSound8k, ParseFolds(folds));
        if (folder is not null)
        {
            Guard.Setting(folds is null, "--folds: a labelled folder has no folds");
            return LabelledTestSets.Folder(folder);
        }
        return Esc50Reader.Read(esc50!, new Esc50Options(ParseFolds(folds)));
    }

    public static Option<string?> Folds() => new("--folds") { HelpName = "1,2", Description = "Only these folds (1..5, comma-separated); default all." };

    public static Option<string> Prompt() => new("--prompt")
    {
        Description = "Prompt template; {class} becomes the class name.",
        DefaultValueFactory = _ => Esc50Options.DefaultPromptTemplate,
    };

    public static Option<bool> AllowMissing() => new("--allow-missing")
    {
        Description = "Go on when some clips of meta/esc50.csv have no audio file " +
                      "(their count and the first are printed); default: refuse.",
    };

    public static Option<int> BatchSize() => new("--batch-size") { Description = "Clips per forward pass.", DefaultValueFactory = _ => 32 };

    public static Option<string> MelFilters() => new("--mel-filters")
    {
        HelpName = "computed|checkpoint",
        Description = "For PANNs/msclap weights: computed mel filters, or the checkpoint's own melW.",
        DefaultValueFactory = _ => "computed",
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
