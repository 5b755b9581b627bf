using ClapAudit.Data;

namespace ClapAudit.Tests.Clap;

/// <summary>
/// A tiny synthetic world for the end-to-end CLAP tests: 16-bit PCM WAVs (16 kHz, 1 s) of three
/// "classes" (tones of distinct pitch), a pair manifest of captions in the tiny BERT's vocabulary,
/// and an ESC-50-shaped folder (meta/esc50.csv, audio/).
/// </summary>
public static class ClapWorld
{
    public const int Rate = 16000;
    public static readonly string[] Classes = ["dog", "cat", "rain"];
    private static readonly string[] Captions = ["a dog bark", "the cat", "rain falls on the roof"];

    public static string Bert => Fixtures.Path("models", "bert-tiny-st");
    public static string Cnn14Tiny => Fixtures.Path("models", "cnn14-tiny.pth");

    /// <summary>Recipe overrides for a fast run: 16 kHz, 1 s, window 512, hop 160 (101 frames), 32 mels, batch 4, 2 epochs (1 frozen).</summary>
    public static readonly string[] Overrides =
    [
        "sample_rate=16000", "duration_seconds=1", "window_size=512", "hop_size=160", "mel_bins=32", "fmax=8000",
        "batch_size=4", "max_epochs=2", "frozen_epochs=1", "projection_dim=8", "text_length=16", "workers=2", "threads=1",
        "checkpoint_every=0", "seed=3",
    ];

    public static void WriteWav(string path, float[] samples, int rate = Rate)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8); w.Write(36 + samples.Length * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples.Length * 2);
        foreach (var s in samples) w.Write((short)Math.Clamp(Math.Round(s * 32767), -32768, 32767));
    }

    /// <summary>A tone of class <paramref name="c"/> with some noise; variant changes phase, noise and length.</summary>
    public static float[] Tone(int c, int variant, double seconds = 1.0)
    {
        var rng = new Random(100 * c + variant);
        int n = (int)(seconds * Rate);
        double f = 300 * Math.Pow(2.5, c);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * f * i / Rate + variant) + 0.05 * (rng.NextDouble() - 0.5));
        return x;
    }

    /// <summary>train.jsonl (3 classes x 4) and val.jsonl (3 classes x 2) with 1.5 s clips (random 1 s crops).</summary>
    public static string Manifest(string root)
    {
        string audio = Path.Combine(root, "pairs");
        Directory.CreateDirectory(audio);
        List<AudioTextPair> Pairs(string split, int perClass)
        {
            var list = new List<AudioTextPair>();
            for (int c = 0; c < Classes.Length; c++)
                for (int v = 0; v < perClass; v++)
                {
                    string file = Path.Combine(audio, $"{split}-{c}-{v}.wav");
                    WriteWav(file, Tone(c, v + (split == "val" ? 50 : 0), 1.5));
                    list.Add(new AudioTextPair("synthetic", file, Captions[c], $"{split}-{c}-{v}"));
                }
            return list;
        }
        string dir = Path.Combine(root, "manifest");
        Directory.CreateDirectory(dir);
        PairManifest.Write(PairManifest.PathFor(dir, "train"), Pairs("train", 4));
        PairManifest.Write(PairManifest.PathFor(dir, "val"), Pairs("val", 2));
        return dir;
    }

    /// <summary>An ESC-50-shaped folder: 3 classes x 2 clips of 1 s, fold = clip index + 1, rows not sorted by target.</summary>
    public static string Esc50(string root)
    {
        string dir = Path.Combine(root, "esc50");
        Directory.CreateDirectory(Path.Combine(dir, "audio"));
        Directory.CreateDirectory(Path.Combine(dir, "meta"));
        var lines = new List<string> { "filename,fold,target,category,esc10,src_file,take" };
        foreach (int v in new[] { 0, 1 })
            foreach (int c in new[] { 2, 0, 1 })
            {
                string name = $"{v + 1}-{c}0{v}-A-{c}.wav";
                WriteWav(Path.Combine(dir, "audio", name), Tone(c, 20 + v));
                lines.Add($"{name},{v + 1},{c},{Classes[c]},False,{c}0{v},A");
            }
        File.WriteAllLines(Path.Combine(dir, "meta", "esc50.csv"), lines);
        return dir;
    }
}
