using System.Text;

namespace ClapAudit.Tests.Training.Pretraining;

/// <summary>
/// A tiny AudioSet-style folder written by the test: six classes, 1 s 16 kHz mono WAVs, each class
/// a tone of its own pitch (multi-label clips sum their tones), one unreadable file; and an
/// ESC-50-style folder with the classes dog and rain (metadata only).
/// </summary>
internal static class PretrainFixtures
{
    public const int SampleRate = 16000;

    public static readonly (string Mid, string Name, double Hz)[] Classes =
    [
        ("/m/0bt9lr", "Dog", 300),
        ("/m/05tny_", "Bark", 500),
        ("/m/06mb1", "Rain on surface", 800),
        ("/m/09x0r", "Speech", 1300),
        ("/m/04rlf", "Music, instrumental", 2100),
        ("/m/0342h", "Guitar", 3400),
    ];

    /// <summary>Hand-computed: "Dog" and "Rain on surface" contain ESC-50 words; the mapping table ties dog to "Bark".</summary>
    public static readonly string[] CleanRemovedMids = ["/m/0bt9lr", "/m/05tny_", "/m/06mb1"];
    /// <summary>4 Dog + 4 Bark + 4 Rain + 2 Speech+Dog.</summary>
    public const int CleanRemovedClips = 14;
    /// <summary>29 clips: 24 single-label, 2 Speech+Dog, 2 Music+Guitar, 1 unreadable Speech clip.</summary>
    public const int AllClips = 29;

    public static string WriteAudioSet(string root)
    {
        string dir = Path.Combine(root, "audioset");
        Directory.CreateDirectory(Path.Combine(dir, "audio"));
        var labels = new StringBuilder("index,mid,display_name\n");
        for (int i = 0; i < Classes.Length; i++) labels.Append($"{i},{Classes[i].Mid},\"{Classes[i].Name}\"\n");
        File.WriteAllText(Path.Combine(dir, "class_labels_indices.csv"), labels.ToString());
        var rows = new List<(string Id, int[] Labels)>();
        for (int c = 0; c < Classes.Length; c++)
            for (int k = 0; k < 4; k++) rows.Add(($"c{c}k{k}", [c]));
        rows.Add(("sd0", [3, 0]));
        rows.Add(("sd1", [3, 0]));
        rows.Add(("mg0", [4, 5]));
        rows.Add(("mg1", [4, 5]));
        var seg = new StringBuilder();
        seg.Append("# Segments csv created Sun Mar  5 10:54:31 2017\n");
        seg.Append($"# num_ytids={rows.Count + 1}, num_segs={rows.Count + 1}, num_unique_labels=6, num_positive_labels=33\n");
        seg.Append("# YTID, start_seconds, end_seconds, positive_labels\n");
        int n = 0;
        foreach (var (id, ls) in rows)
        {
            seg.Append($"{id}, 0.000, 1.000, \"{string.Join(",", ls.Select(l => Classes[l].Mid))}\"\n");
            WriteWav(Path.Combine(dir, "audio", $"Y{id}.wav"), Tone(ls, n++));
        }
        seg.Append($"corrupt0, 0.000, 1.000, \"{Classes[3].Mid}\"\n");
        File.WriteAllBytes(Path.Combine(dir, "audio", "Ycorrupt0.wav"), Encoding.ASCII.GetBytes("RIFF....not a wave file at all"));
        File.WriteAllText(Path.Combine(dir, "balanced_train_segments.csv"), seg.ToString());
        return dir;
    }

    public static string WriteEsc50(string root)
    {
        string dir = Path.Combine(root, "esc50");
        Directory.CreateDirectory(Path.Combine(dir, "meta"));
        File.WriteAllText(Path.Combine(dir, "meta", "esc50.csv"),
            "filename,fold,target,category,esc10,src_file,take\n1-100000-A-0.wav,1,0,dog,True,100000,A\n1-17367-A-1.wav,1,1,rain,True,17367,A\n");
        return dir;
    }

    private static float[] Tone(int[] labels, int seed)
    {
        var rng = new Random(seed);
        var x = new float[SampleRate];
        double phase = rng.NextDouble() * 2 * Math.PI;
        foreach (int l in labels)
            for (int i = 0; i < x.Length; i++) x[i] += (float)(0.3 * Math.Sin(2 * Math.PI * Classes[l].Hz * i / SampleRate + phase));
        for (int i = 0; i < x.Length; i++) x[i] += (float)(0.01 * (rng.NextDouble() - 0.5));
        return x;
    }

    /// <summary>16-bit PCM mono WAV.</summary>
    public static void WriteWav(string path, float[] samples)
    {
        using var w = new BinaryWriter(File.Create(path));
        int bytes = samples.Length * 2;
        w.Write("RIFF"u8); w.Write(36 + bytes); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(SampleRate); w.Write(SampleRate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(bytes);
        foreach (float s in samples) w.Write((short)Math.Clamp(Math.Round(s * 32767), -32768, 32767));
    }

    /// <summary>Settings for a fast tiny run (widths 4..128, 32 mels, 16 kHz, random 0.5 s crops of the 1 s clips = 51 frames, window 512 / hop 160).</summary>
    public static ClapAudit.Training.Pretraining.PretrainRecipe TinyRecipe => new()
    {
        SampleRate = SampleRate,
        DurationSeconds = 0.5,
        WindowSize = 512,
        HopSize = 160,
        MelBins = 32,
        Fmin = 50,
        Fmax = 8000,
        BaseWidth = 4,
        BatchSize = 4,
        MaxEpochs = 3,
        ValidationFraction = 0.2,
        Workers = 2,
        Threads = 2,
        CheckpointEvery = 0,
    };
}
