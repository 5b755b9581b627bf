namespace ClapAudit.Synthetic;

/// <summary>What makes the sound: each kind has its own spectral or temporal signature.</summary>
public enum SourceKind
{
    Tone, Hiss, Hum, Buzz, RisingSweep, FallingSweep,
    // Used only by zero-shot test classes, so clean audio pre-training never hears them.
    Warble, Clicks, Chime,
}

/// <summary>How the sound is switched on and off over the clip.</summary>
public enum Rhythm { Steady, SlowPulsing, FastPulsing, Accelerating }

/// <summary>How the loudness moves over the whole clip.</summary>
public enum Envelope { Level, Swelling, Fading }

/// <summary>
/// The world's attribute words and the acoustic values behind them. Every attribute value has two
/// words (variants) so captions vary; no word belongs to two values, and no class name equals any
/// of them (checked when names are drawn).
/// </summary>
public static class SoundVocabulary
{
    /// <summary>Centre frequencies of the four pitch bands, an octave apart.</summary>
    public static readonly double[] PitchHz = [250, 500, 1000, 2000];

    public static readonly string[][] PitchWords =
    [
        ["deep", "booming"], ["low", "mellow"], ["high", "bright"], ["shrill", "piercing"],
    ];

    public static IReadOnlyList<string> SourceNouns(SourceKind kind) => kind switch
    {
        SourceKind.Tone => ["tone", "whistle"],
        SourceKind.Hiss => ["hiss", "rush"],
        SourceKind.Hum => ["hum", "drone"],
        SourceKind.Buzz => ["buzz", "rasp"],
        SourceKind.RisingSweep => ["rising sweep", "upward glide"],
        SourceKind.FallingSweep => ["falling sweep", "downward glide"],
        SourceKind.Warble => ["warble", "trill"],
        SourceKind.Clicks => ["clicking", "ticking"],
        SourceKind.Chime => ["chime", "ringing"],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<string> RhythmPhrases(Rhythm rhythm) => rhythm switch
    {
        Rhythm.Steady => ["steady", "constant"],
        Rhythm.SlowPulsing => ["slowly pulsing", "slow pulsing"],
        Rhythm.FastPulsing => ["rapidly pulsing", "fast pulsing"],
        Rhythm.Accelerating => ["accelerating", "quickening"],
        _ => throw new ArgumentOutOfRangeException(nameof(rhythm)),
    };

    public static IReadOnlyList<string> EnvelopeWords(Envelope envelope) => envelope switch
    {
        Envelope.Level => ["level", "even"],
        Envelope.Swelling => ["swelling", "growing"],
        Envelope.Fading => ["fading", "dying"],
        _ => throw new ArgumentOutOfRangeException(nameof(envelope)),
    };

    /// <summary>Where and how the sound was heard: neutral words that carry no class information.</summary>
    public static readonly string[] Contexts =
    [
        "in the distance", "close to the microphone", "over loud static", "in a quiet room",
        "outdoors", "through heavy noise", "in an empty hall", "far away", "at night", "near the recorder",
    ];

    /// <summary>Source kinds the zero-shot test classes are made of, and those of all other classes.</summary>
    public static readonly SourceKind[] TestSources = [SourceKind.Warble, SourceKind.Clicks, SourceKind.Chime];
    public static readonly SourceKind[] TrainSources =
        [SourceKind.Tone, SourceKind.Hiss, SourceKind.Hum, SourceKind.Buzz, SourceKind.RisingSweep, SourceKind.FallingSweep];

    public static int Pitches => PitchHz.Length;
    public static int Rhythms => Enum.GetValues<Rhythm>().Length;

    /// <summary>Every single word used by attributes and contexts (lower case).</summary>
    public static IReadOnlySet<string> AttributeWords()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        void Add(string phrase) { foreach (var w in phrase.Split(' ')) words.Add(w); }
        foreach (var p in PitchWords) foreach (var w in p) Add(w);
        foreach (var k in Enum.GetValues<SourceKind>()) foreach (var w in SourceNouns(k)) Add(w);
        foreach (var r in Enum.GetValues<Rhythm>()) foreach (var w in RhythmPhrases(r)) Add(w);
        foreach (var e in Enum.GetValues<Envelope>()) foreach (var w in EnvelopeWords(e)) Add(w);
        foreach (var c in Contexts) Add(c);
        return words;
    }

    internal static string SourceKey(SourceKind k) => k switch
    {
        SourceKind.RisingSweep => "rising_sweep",
        SourceKind.FallingSweep => "falling_sweep",
        _ => k.ToString().ToLowerInvariant(),
    };

    internal static string RhythmKey(Rhythm r) => r switch
    {
        Rhythm.SlowPulsing => "slow_pulsing",
        Rhythm.FastPulsing => "fast_pulsing",
        _ => r.ToString().ToLowerInvariant(),
    };
}
