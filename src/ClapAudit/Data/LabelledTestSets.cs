using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>
/// Zero-shot test sets other than ESC-50, in the shape <c>zeroshot</c> and <c>embed</c> take (<see
/// cref="ZeroShotTestSet"/>:
/// items with a fold and a class index, class names in index order; <c>Esc10</c> is false). UrbanSound8K keeps its
/// 10 folds and classIDs; a labelled folder (<c>DIR/&lt;class name&gt;/*.wav|flac|mp3|ogg</c>, as GTZAN-style sets
/// come) has its class folders in ordinal order, files in ordinal order within a class, and fold 0 (no folds).
/// </summary>
public static class LabelledTestSets
{
    private static readonly string[] AudioExtensions = [".wav", ".flac", ".mp3", ".ogg"];

    public static ZeroShotTestSet UrbanSound8k(string folder, IReadOnlyList<int>? folds = null)
    {
        if (folds is not null)
            foreach (var f in folds) Guard.Setting(f is >= 1 and <= 10, $"UrbanSound8K fold {f} is not in 1..10");
        var d = UrbanSound8kReader.Read(folder, folds);
        var items = d.Items.Select(i => new TestClip(i.AudioPath, i.FileName, i.Fold, i.ClassId, d.ClassNames[i.ClassId], false)).ToArray();
        return new ZeroShotTestSet(d.Folder, items, d.ClassNames, d.ClassNames.Select(c => c.Replace(' ', '_')).ToArray(), d.Problems, d.MissingAudio);
    }

    public static ZeroShotTestSet Folder(string folder)
    {
        Guard.DirectoryExists(folder, "labelled test folder");
        folder = Path.GetFullPath(folder);
        var classes = Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        Guard.Data(classes.Length >= 2, $"{folder}: expected one sub-folder per class (at least 2), found {classes.Length}");
        var items = new List<TestClip>();
        for (int c = 0; c < classes.Length; c++)
            foreach (var file in Directory.GetFiles(Path.Combine(folder, classes[c])).Order(StringComparer.Ordinal))
                if (AudioExtensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
                    items.Add(new TestClip(file, $"{classes[c]}/{Path.GetFileName(file)}", 0, c, classes[c].Replace('_', ' '), false));
        Guard.Data(items.Count > 0, $"{folder}: no .wav, .flac, .mp3 or .ogg file in the class folders");
        return new ZeroShotTestSet(folder, items, classes.Select(c => c.Replace('_', ' ')).ToArray(), classes, [], 0);
    }
}
