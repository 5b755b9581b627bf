namespace ClapAudit.Synthetic;

/// <summary>
/// Pronounceable invented words for class names and synonyms ("bralk", "tovip"). Each is one word,
/// so the leakage filter's word set is exactly the test-class names, and each ends in a consonant
/// cluster that no English suffix rule touches (no -s, -e, -y, -ed, -ing, -er, -al, -ent), so a
/// stemming filter sees the same word as an exact one and never merges a name with its synonym.
/// </summary>
internal static class InventedWords
{
    private static readonly string[] Onsets =
        ["b", "d", "g", "k", "p", "t", "v", "z", "m", "n", "br", "dr", "gl", "kr", "pl", "sk", "tr", "fl", "gr", "bl", "sn", "zw"];
    private static readonly string[] Vowels = ["a", "o", "u", "i", "e"];
    private static readonly string[] Codas = ["k", "lk", "rk", "mp", "sk", "rt", "g", "b", "p", "t", "m", "v", "x", "z", "lt", "rn", "ft"];

    /// <summary>
    /// The words of this pattern that are real (in bert-base-uncased's vocabulary, whole words of 4+
    /// letters), so a class never gets a name that already means something.
    /// </summary>
    private static readonly HashSet<string> RealWords = new(StringComparer.Ordinal)
    {
        "bark", "barn", "bart", "belt", "bern", "bert", "blog", "bolt", "born", "bram", "brat", "bret", "brig",
        "brisk", "brit", "bulk", "bump", "burn", "burt", "damp", "dark", "dart", "desk", "dirk", "dirt", "disk",
        "draft", "drag", "drift", "drip", "drop", "drug", "drum", "dump", "dusk", "flag", "flap", "flat", "flex",
        "flip", "flirt", "flop", "flux", "gift", "grab", "gram", "graz", "greg", "grim", "grip", "grit", "kemp",
        "kern", "kirk", "kraft", "kurt", "mark", "mart", "mask", "melt", "milk", "mort", "park", "part", "plot",
        "plug", "plum", "plump", "polk", "pork", "porn", "port", "pump", "skip", "skirt", "snap", "snort", "taft",
        "talk", "task", "tilt", "torn", "tram", "trap", "trek", "trim", "trip", "trump", "turk", "turn", "vamp",
        "basket", "bukit", "debut", "denim", "depart", "depot", "digit", "divert", "gomez", "govern", "madam",
        "matrix", "modern", "mozart", "munoz", "novak", "nunez", "petit", "planet", "puget", "tablet", "tatum",
        "tavern", "tibet", "venom", "vikram", "vomit", "zagreb",
    };

    /// <summary>Draws <paramref name="count"/> distinct words, none in <paramref name="forbidden"/>.</summary>
    public static List<string> Draw(WorldRandom rng, int count, IReadOnlySet<string> forbidden)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>(count);
        while (words.Count < count)
        {
            string w = rng.NextDouble() < 0.5
                ? rng.Pick(Onsets) + rng.Pick(Vowels) + rng.Pick(Codas)
                : rng.Pick(Onsets) + rng.Pick(Vowels) + rng.Pick(Onsets) + rng.Pick(Vowels) + rng.Pick(Codas);
            if (w.Length < 4 || RealWords.Contains(w) || forbidden.Contains(w) || !seen.Add(w)) continue;
            words.Add(w);
        }
        return words;
    }
}
