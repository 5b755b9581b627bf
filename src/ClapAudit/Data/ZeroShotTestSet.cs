#pragma warning disable CS1573 // records document only the parameters that need a word
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>One clip of a zero-shot test set (ESC-50, UrbanSound8K, a labelled folder).</summary>
/// <param name="Fold">Its fold (ESC-50 1..5, UrbanSound8K 1..10; 0 for a set without folds).</param>
/// <param name="Target">Its class index.</param>
/// <param name="Category">The class name with underscores as spaces ("door wood knock").</param>
/// <param name="Esc10">In ESC-50's ESC-10 subset (false for other sets).</param>
public sealed record TestClip(string AudioPath, string FileName, int Fold, int Target, string Category, bool Esc10);

/// <summary>
/// A zero-shot test set: its clips and its class names in target order, as <c>zeroshot</c>, <c>embed</c> and <c>grid</c>
/// take it (read by <see cref="Esc50Reader"/> or <see cref="LabelledTestSets"/>).
/// </summary>
/// <param name="ClassNames">Class names indexed by target (0..49 for ESC-50), underscores as spaces.</param>
/// <param name="RawCategories">The categories as published ("door_wood_knock"), indexed by target.</param>
public sealed record ZeroShotTestSet(
    string Folder,
    IReadOnlyList<TestClip> Items,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<string> RawCategories,
    IReadOnlyList<DataProblem> Problems,
    int MissingAudio)
{
    /// <summary>The first selected row whose audio file is missing (folder-relative), or null.</summary>
    public string? FirstMissing { get; init; }

    /// <summary>
    /// Refuses a dataset with missing clips (an evaluation on 4 of 52 clips is not ESC-50) unless
    /// <paramref name="allowMissing"/>; then returns the warning to show, or null when nothing is missing.
    /// </summary>
    public string? CheckComplete(bool allowMissing)
    {
        if (MissingAudio == 0) return null;
        string counts = $"{Folder}: {MissingAudio} of {MissingAudio + Items.Count} selected ESC-50 clips " +
                        "have no audio file " +
                        $"(first: {FirstMissing})";
        if (!allowMissing)
            throw new ClapAuditException(ErrorKind.NotFound,
                $"{counts}; pass --allow-missing to go on with the {Items.Count} present");
        return $"{counts}; going on with the {Items.Count} present (--allow-missing)";
    }

    /// <summary>One prompt per class in target order, <c>{class}</c> replaced by the class name.</summary>
    public IReadOnlyList<string> Prompts(string template = Esc50Options.DefaultPromptTemplate)
    {
        Guard.Setting(template.Contains("{class}"), $"prompt template '{template}' must contain {{class}}");
        return ClassNames.Select(c => template.Replace("{class}", c)).ToArray();
    }
}

