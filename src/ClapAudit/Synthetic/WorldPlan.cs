namespace ClapAudit.Synthetic;

/// <summary>An ESC-50-style test clip: <c>{fold}-{srcid}-{take}-{target}.wav</c>.</summary>
internal sealed record Esc50Clip(int ClassIndex, int Fold, int SrcId, string Take, int Target, string Category)
{
    public string FileName => $"{Fold}-{SrcId}-{Take}-{Target}.wav";
}

/// <summary>A Clotho-style captioned clip, its split and its five captions (and how each names the class).</summary>
internal sealed record CaptionedClip(int ClassIndex, string FileName, string Split, string[] Captions, Naming[] Namings)
{
    public bool SynonymOnly => Namings.All(n => n == Naming.Synonym);
}

/// <summary>An AudioSet-style labelled clip, stored as <c>Y{YTID}.wav</c>.</summary>
internal sealed record AudioSetClip(int ClassIndex, string Ytid)
{
    public string FileName => $"Y{Ytid}.wav";
}

/// <summary>
/// Everything about the world that is decided before any audio is rendered: the classes, their
/// names, and every clip with its file name, split and captions. Pure function of the options.
/// </summary>
internal sealed class WorldPlan
{
    public const int CaptionsPerClip = 5;
    public static readonly string[] ClothoSplits = ["development", "validation", "evaluation"];

    public required SyntheticWorldOptions Options { get; init; }
    public required IReadOnlyList<SoundClass> Classes { get; init; }
    public required IReadOnlyList<Esc50Clip> Esc50 { get; init; }
    public required IReadOnlyList<CaptionedClip> Clotho { get; init; }
    public required IReadOnlyList<AudioSetClip> AudioSet { get; init; }

    public static WorldPlan Create(SyntheticWorldOptions o)
    {
        var classes = DesignClasses(o);
        return new WorldPlan
        {
            Options = o,
            Classes = classes,
            Esc50 = PlanEsc50(o, classes),
            Clotho = PlanClotho(o, classes),
            AudioSet = PlanAudioSet(o, classes),
        };
    }

    /// <summary>
    /// Test classes are distinct (source, pitch, rhythm) combinations of the test-only sources, the
    /// other classes of the remaining sources; sources are taken in turn so each is used about equally.
    /// </summary>
    private static List<SoundClass> DesignClasses(SyntheticWorldOptions o)
    {
        var rng = WorldRandom.For(o.Seed, "classes");
        var test = PickCombos(SoundVocabulary.TestSources, o.TestClasses, rng);
        var other = PickCombos(SoundVocabulary.TrainSources, o.OtherClasses, rng);
        var forbidden = new HashSet<string>(SoundVocabulary.AttributeWords(), StringComparer.Ordinal);
        forbidden.UnionWith(CaptionTemplates.TemplateWords());
        var words = InventedWords.Draw(rng, 2 * o.Classes, forbidden);
        var classes = new List<SoundClass>(o.Classes);
        foreach (var (source, pitch, rhythm) in test.Concat(other))
        {
            int i = classes.Count;
            bool isTest = i < o.TestClasses;
            var envelope = (Envelope)rng.Next(Enum.GetValues<Envelope>().Length);
            classes.Add(new SoundClass(i, words[2 * i], words[2 * i + 1], $"/m/syn{i + 1:D3}", isTest,
                isTest ? i : -1, source, pitch, rhythm, envelope));
        }
        return classes;
    }

    private static List<(SourceKind, int, Rhythm)> PickCombos(SourceKind[] sources, int count, WorldRandom rng)
    {
        var perSource = sources.Select(s =>
        {
            var combos = new List<(SourceKind, int, Rhythm)>();
            for (int p = 0; p < SoundVocabulary.Pitches; p++)
                foreach (var r in Enum.GetValues<Rhythm>()) combos.Add((s, p, r));
            rng.Shuffle(combos);
            return new Queue<(SourceKind, int, Rhythm)>(combos);
        }).ToList();
        var picked = new List<(SourceKind, int, Rhythm)>(count);
        for (int k = 0; picked.Count < count; k++)
        {
            var q = perSource[k % perSource.Count];
            if (q.Count > 0) picked.Add(q.Dequeue());
        }
        return picked;
    }

    /// <summary>Two takes per source id; folds by source id as ESC-50 does, balanced over 1..5.</summary>
    private static List<Esc50Clip> PlanEsc50(SyntheticWorldOptions o, List<SoundClass> classes)
    {
        var rng = WorldRandom.For(o.Seed, "esc50");
        var used = new HashSet<int>();
        var clips = new List<Esc50Clip>();
        foreach (var c in classes.Where(c => c.IsTest))
        {
            int srcId = 0;
            for (int j = 0; j < o.TestClipsPerClass; j++)
            {
                if (j % 2 == 0)
                    do srcId = 100000 + rng.Next(900000); while (!used.Add(srcId));
                int group = j / 2;
                clips.Add(new Esc50Clip(c.Index, 1 + group % 5, srcId, j % 2 == 0 ? "A" : "B", c.Target, c.Name));
            }
        }
        clips.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));
        return clips;
    }

    /// <summary>
    /// Five captions per clip. In each test class, a fixed share of the clips (at least one) is
    /// described by the synonym in every caption; every other test-class clip has at least one
    /// caption with the primary name, so the leakage filter removes exactly the others.
    /// </summary>
    private static List<CaptionedClip> PlanClotho(SyntheticWorldOptions o, List<SoundClass> classes)
    {
        var drafts = new List<(int ClassIndex, string[] Captions, Naming[] Namings)>();
        foreach (var c in classes)
        {
            var rng = WorldRandom.For(o.Seed, "captions", c.Index);
            int n = o.CaptionedClipsPerClass;
            int synonymOnly = !c.IsTest || o.SynonymOnlyFraction <= 0 ? 0 : Math.Max(1, (int)Math.Round(n * o.SynonymOnlyFraction));
            var order = Enumerable.Range(0, n).ToList();
            rng.Shuffle(order);
            var survivors = order.Take(synonymOnly).ToHashSet();
            for (int j = 0; j < n; j++)
            {
                var namings = new Naming[CaptionsPerClip];
                for (int k = 0; k < CaptionsPerClip; k++)
                {
                    double u = rng.NextDouble();
                    namings[k] = survivors.Contains(j) ? Naming.Synonym
                        : u < o.NameProbability ? Naming.Name
                        : u < o.NameProbability + o.NamelessProbability ? Naming.None
                        : Naming.Synonym;
                }
                if (c.IsTest && !survivors.Contains(j) && !namings.Contains(Naming.Name))
                    namings[rng.Next(CaptionsPerClip)] = Naming.Name;
                var captions = namings.Select(nm => CaptionTemplates.Caption(c, nm, rng)).ToArray();
                drafts.Add((c.Index, captions, namings));
            }
        }
        // File numbers and splits in a shuffled order, so neither says which class a clip is.
        var shuffle = WorldRandom.For(o.Seed, "clotho-order");
        shuffle.Shuffle(drafts);
        return drafts.Select((d, k) => new CaptionedClip(d.ClassIndex, $"recording {k + 1:D5}.wav",
            ClothoSplits[k % 10 == 0 ? 1 : k % 10 == 1 ? 2 : 0], d.Captions, d.Namings)).ToList();
    }

    private static List<AudioSetClip> PlanAudioSet(SyntheticWorldOptions o, List<SoundClass> classes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        var rng = WorldRandom.For(o.Seed, "audioset");
        var used = new HashSet<string>(StringComparer.Ordinal);
        var clips = new List<AudioSetClip>();
        foreach (var c in classes)
            for (int j = 0; j < o.PretrainClipsPerClass; j++)
            {
                string id;
                do id = new string(Enumerable.Range(0, 11).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
                while (!used.Add(id.ToLowerInvariant())); // unique even on case-insensitive file systems
                clips.Add(new AudioSetClip(c.Index, id));
            }
        rng.Shuffle(clips);
        return clips;
    }
}
