namespace ClapAudit.Synthetic;

/// <summary>
/// How many of each thing a generated world holds. <c>ClothoSynonymOnlyTestClips</c>: captioned
/// test-class clips every caption of which uses the synonym (what the leakage filter keeps).
/// </summary>
public sealed record WorldCounts(
    int Classes, int TestClasses,
    int Esc50Clips,
    int ClothoClips, int ClothoCaptions, int ClothoTestClassClips, int ClothoSynonymOnlyTestClips,
    int AudioSetClips, int AudioSetTestClassClips,
    int CorpusSentences, int VocabularySize);

/// <summary>Where a generated world is: the three dataset folders in their published layouts, and its text.</summary>
/// <param name="Root">The world folder.</param>
/// <param name="Esc50Dir">ESC-50 layout: <c>meta/esc50.csv</c>, <c>audio/</c> (the zero-shot test set).</param>
/// <param name="ClothoDir">Clotho layout: <c>clotho_captions_{split}.csv</c>, <c>{split}/</c> (captioned training data, "dirty").</param>
/// <param name="AudioSetDir">AudioSet layout: <c>class_labels_indices.csv</c>, <c>balanced_train_segments.csv</c>, <c>audio/Y{YTID}.wav</c> (audio pre-training, "dirty").</param>
/// <param name="CorpusPath">Text for the text backbone's pre-training, one sentence a line.</param>
/// <param name="VocabPath">A BERT vocab.txt holding every word of the world as one token.</param>
/// <param name="WorldJsonPath">The world's description: options, classes, test classes, counts.</param>
/// <param name="Classes">All classes, test classes first (ESC-50 targets 0..T-1).</param>
/// <param name="Counts">How many clips, captions and sentences were written.</param>
/// <param name="Reused">True when an identical world was already on disk and nothing was written.</param>
public sealed record SyntheticWorldLayout(
    string Root, string Esc50Dir, string ClothoDir, string AudioSetDir,
    string CorpusPath, string VocabPath, string WorldJsonPath,
    IReadOnlyList<SoundClass> Classes, WorldCounts Counts, bool Reused)
{
    public IReadOnlyList<SoundClass> TestClasses => Classes.Where(c => c.IsTest).ToList();

    /// <summary>The zero-shot prompt for a class name, in the world's vocabulary.</summary>
    public static string Prompt(string className) => CaptionTemplates.Prompt.Replace("{n}", className);
}
