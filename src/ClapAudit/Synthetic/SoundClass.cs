namespace ClapAudit.Synthetic;

/// <summary>
/// One class of the synthetic world: an invented name (the class label, like ESC-50's "dog"), a
/// synonym (like "puppy"), and the attributes that decide how its clips sound.
/// </summary>
/// <param name="Index">Position in the world's class list (AudioSet index).</param>
/// <param name="Name">Primary name: the ESC-50 category and AudioSet display name.</param>
/// <param name="Synonym">Another word for the same class; never a test-class word for the leakage filter.</param>
/// <param name="Mid">AudioSet-style machine id, e.g. "/m/syn001".</param>
/// <param name="IsTest">A zero-shot test class (in ESC-50).</param>
/// <param name="Target">ESC-50 target (0-based among test classes), or -1.</param>
/// <param name="Source">What makes the sound.</param>
/// <param name="Pitch">Pitch band, 0..3 (see <see cref="SoundVocabulary.PitchHz"/>).</param>
/// <param name="Rhythm">How it is switched on and off.</param>
/// <param name="Envelope">How its loudness moves over the clip.</param>
public sealed record SoundClass(
    int Index, string Name, string Synonym, string Mid, bool IsTest, int Target,
    SourceKind Source, int Pitch, Rhythm Rhythm, Envelope Envelope)
{
    public double PitchHz => SoundVocabulary.PitchHz[Pitch];

    /// <summary>The main word of each attribute (first variant), for display and world.json.</summary>
    public string Description =>
        $"{SoundVocabulary.PitchWords[Pitch][0]} {SoundVocabulary.RhythmPhrases(Rhythm)[0]} {SoundVocabulary.EnvelopeWords(Envelope)[0]} {SoundVocabulary.SourceNouns(Source)[0]}";
}
