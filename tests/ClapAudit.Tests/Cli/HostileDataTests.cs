using System.Text;
using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Models;
using ClapAudit.Tests.Analysis;

namespace ClapAudit.Tests.Cli;

/// <summary>
/// Hostile metadata, bundles and settings of issue 20 (items 5, 9, 10, 11): each refused naming the file
/// and line, or computed as scikit-learn defines it, or listed in <c>skipped</c> with its reason.
/// </summary>
public class HostileDataTests
{
    private const string ClothoHeader = "file_name,caption_1,caption_2,caption_3,caption_4,caption_5\n";

    private static string Clotho(TempDir tmp, string body, byte[]? raw = null)
    {
        string dir = tmp.File("clotho");
        Directory.CreateDirectory(dir);
        string csv = Path.Combine(dir, "clotho_captions_development.csv");
        if (raw is null) File.WriteAllText(csv, ClothoHeader + body);
        else File.WriteAllBytes(csv, [.. Encoding.UTF8.GetBytes(ClothoHeader), .. raw]);
        return dir;
    }

    private static (int Code, string Out, string Err) Prepare(TempDir tmp, params string[] dataset) =>
        CliTestHost.Run(["data", "prepare", .. dataset, "--out", tmp.File("out"), "--no-audio-check",
            "--splits", "clotho:development"]);

    private const string Good = "ok.wav,a dog barks,a dog,dog barking,barks,the dog\n";

    [Fact]
    public void ClothoFileNamesOutsideTheFolderAreSkippedWithTheirLine()
    {
        using var tmp = Fixtures.TempDir();
        string dir = Clotho(tmp, Good + "../secret.wav,a,b,c,d,e\n/etc/passwd.wav,a,b,c,d,e\n");
        var (code, _, err) = Prepare(tmp, "--clotho", dir);
        Assert.True(code == 0, err);
        string problems = File.ReadAllText(Path.Combine(tmp.File("out"), "problems.txt"));
        Assert.Contains("clotho_captions_development.csv:3: file_name '../secret.wav' steps out of the dataset folder",
            problems);
        Assert.Contains("clotho_captions_development.csv:4: file_name '/etc/passwd.wav' is an absolute path", problems);
        Assert.DoesNotContain("secret", File.ReadAllText(Path.Combine(tmp.File("out"), "train.jsonl")));
    }

    [Fact]
    public void AnUnterminatedQuoteIsRefusedAtTheLineItOpens()
    {
        using var tmp = Fixtures.TempDir();
        string dir = Clotho(tmp, Good + "b.wav,\"a cat,b,c,d,e\nc.wav,x,y,z,w,v\nd.wav,x,y,z,w,v\n");
        var (code, _, err) = Prepare(tmp, "--clotho", dir);
        Assert.Equal(4, code);
        Assert.Contains("clotho_captions_development.csv:3: unterminated quote", err);
        Assert.Contains("runs to line", err);
    }

    [Fact]
    public void AHeaderOnlyCsvGivesZeroPairsAndIsAnError()
    {
        using var tmp = Fixtures.TempDir();
        var (code, _, err) = Prepare(tmp, "--clotho", Clotho(tmp, ""));
        Assert.Equal(4, code);
        Assert.Contains("clotho gave 0 pairs", err);
    }

    [Fact]
    public void InvalidUtf8IsRefusedNamingFileAndLine()
    {
        using var tmp = Fixtures.TempDir();
        byte[] bad = [.. Encoding.UTF8.GetBytes(Good), .. "x.wav,caf"u8, 0xE9, .. ",b,c,d,e\n"u8];
        var (code, _, err) = Prepare(tmp, "--clotho", Clotho(tmp, "", bad));
        Assert.Equal(4, code);
        Assert.Contains("clotho_captions_development.csv:", err);
        Assert.Contains("invalid UTF-8", err);

        string bundle = BundleWith(tmp, "bundle", labels: [0, 1]);
        File.WriteAllBytes(Path.Combine(bundle, "classes.txt"), [.. "dog\nca"u8, 0xFF, .. "t\n"u8]);
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingBundle.Load(bundle));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("classes.txt:2: invalid UTF-8", e.Message);
    }

    private static string Macs(TempDir tmp, string yaml)
    {
        string dir = tmp.File("macs");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "MACS.yaml"), yaml);
        return dir;
    }

    [Fact]
    public void MacsDuplicateKeysAreProblemsAndASecondDocumentOrNoAnnotationsAreErrors()
    {
        using var tmp = Fixtures.TempDir();
        string dup = "files:\n- filename: a.wav\n  annotations:\n  - sentence: birds sing\n" +
                     "- filename: b.wav\n  filename: c.wav\n  annotations:\n  - sentence: a bus\n" +
                     "- filename: d.wav\n  annotations:\n  - sentence: one\n    sentence: two\n";
        var (code, _, err) = CliTestHost.Run("data", "prepare", "--macs", Macs(tmp, dup), "--out", tmp.File("out"),
            "--no-audio-check");
        Assert.True(code == 0, err);
        string problems = File.ReadAllText(Path.Combine(tmp.File("out"), "problems.txt"));
        Assert.Contains("MACS.yaml:5: duplicate key 'filename' on line 6; item skipped", problems);
        Assert.Contains("duplicate key 'sentence' on line 12 (annotation 1 of 'd.wav'); pair skipped", problems);

        using var tmp2 = Fixtures.TempDir();
        (code, _, err) = CliTestHost.Run("data", "prepare", "--macs",
            Macs(tmp2, "files:\n- filename: a.wav\n  annotations:\n  - sentence: x\n---\nfiles: []\n"),
            "--out", tmp2.File("out"), "--no-audio-check");
        Assert.Equal(4, code);
        Assert.Contains("MACS.yaml:5: a second YAML document", err);

        using var tmp3 = Fixtures.TempDir();
        (code, _, err) = CliTestHost.Run("data", "prepare", "--macs",
            Macs(tmp3, "files:\n- filename: a.wav\n- filename: b.wav\n"), "--out", tmp3.File("out"),
            "--no-audio-check");
        Assert.Equal(4, code);
        Assert.Contains("macs gave 0 pairs", err);
        Assert.Contains("'a.wav' has no 'annotations' list", err);
    }

    private static string BundleWith(TempDir tmp, string name, int[] labels, double scale = 1,
        double[]? firstRow = null)
    {
        string dir = tmp.File(name);
        var rng = new Random(7);
        int n = labels.Length, d = 3;
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i * d + j] = scale * ((j == labels[i] ? 2 : 0) + rng.NextDouble());
        firstRow?.CopyTo(x, 0);
        var t = new double[2 * d];
        for (int c = 0; c < 2; c++) t[c * d + c] = scale;
        var m = new EmbeddingMatrix(x, n, d);
        EmbeddingBundleWriter.Write(dir, m, new EmbeddingMatrix(t, 2, d), labels, ["dog", "cat"]);
        return dir;
    }

    [Fact]
    public void Uint64LabelsAbove2To63AreRefusedNamingTheIndex()
    {
        using var tmp = Fixtures.TempDir();
        string bundle = BundleWith(tmp, "b", [0, 1]);
        // A NumPy v1.0 file of dtype <u8, shape (2,): 10-byte preamble + header padded to 64 bytes.
        string header = "{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }";
        header = header.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange(new byte[] { 1, 0, (byte)header.Length, 0 });
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(BitConverter.GetBytes(0UL));
        bytes.AddRange(BitConverter.GetBytes((1UL << 63) + 5));
        File.WriteAllBytes(Path.Combine(bundle, "labels.npy"), bytes.ToArray());
        var (code, _, err) = CliTestHost.Run("analyze", bundle);
        Assert.Equal(4, code);
        Assert.Contains("uint64 value 9223372036854775813 at index 1 is above 2^63 - 1", err);
        Assert.DoesNotContain("internal error", err);
    }

    /// <summary>The silhouette by its definition: a_i over the other members of i's cluster (not i).</summary>
    private static double SilhouetteByDefinition(EmbeddingMatrix x, int[] labels)
    {
        var unit = PairwiseDistances.UnitRows(x);
        int n = x.Rows, d = x.Columns;
        double Dist(int i, int j)
        {
            if (i == j) return 0;
            double dot = 0;
            for (int k = 0; k < d; k++) dot += unit[i * d + k] * unit[j * d + k];
            return Math.Clamp(1 - dot, 0, 2);
        }
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var own = Enumerable.Range(0, n).Where(j => j != i && labels[j] == labels[i]).ToList();
            double a = own.Average(j => Dist(i, j));
            double b = labels.Distinct().Where(l => l != labels[i])
                .Min(l => Enumerable.Range(0, n).Where(j => labels[j] == l).Average(j => Dist(i, j)));
            total += (b - a) / Math.Max(a, b);
        }
        return total / n;
    }

    [Fact]
    public void AnAllZeroRowIsAtDistanceZeroFromItselfAsInScikitLearn()
    {
        int[] labels = [0, 0, 0, 1, 1, 1];
        using var tmp = Fixtures.TempDir();
        var bundle = EmbeddingBundle.Load(BundleWith(tmp, "z", labels, firstRow: [0, 0, 0]));
        double expected = SilhouetteByDefinition(bundle.Audio!, labels);
        Assert.Equal(expected, Silhouette.Score(bundle.Audio!, labels), 6);
    }

    [Fact]
    public void ValuesNear1e200GiveTheNumbersOfTheSameBundleAt1()
    {
        int[] labels = [0, 0, 0, 1, 1, 1, 0, 1];
        using var tmp = Fixtures.TempDir();
        string small = BundleWith(tmp, "s", labels), large = tmp.File("l");
        var s = EmbeddingBundle.Load(small);
        EmbeddingMatrix Scaled(EmbeddingMatrix m) => new(m.Values.Select(v => v * 1e200).ToArray(), m.Rows, m.Columns);
        var scaledAudio = Scaled(s.Audio!);
        var scaledText = Scaled(s.Text!);
        // float32 cannot hold 1e200: written as float64, as a user's NumPy file would be.
        Directory.CreateDirectory(large);
        NpyArray.WriteFloat64(Path.Combine(large, "audio.npy"), scaledAudio.Values, scaledAudio.Rows,
            scaledAudio.Columns);
        NpyArray.WriteFloat64(Path.Combine(large, "text.npy"), scaledText.Values, scaledText.Rows, scaledText.Columns);
        File.Copy(Path.Combine(small, "labels.npy"), Path.Combine(large, "labels.npy"));
        File.Copy(Path.Combine(small, "classes.txt"), Path.Combine(large, "classes.txt"));
        var l = EmbeddingBundle.Load(large);

        Assert.Equal(ZeroShotScorer.Score(s.Audio!, s.Text!, labels).Top1,
            ZeroShotScorer.Score(l.Audio!, l.Text!, labels).Top1);
        foreach (var metric in new[] { DistanceMetric.Cosine, DistanceMetric.Euclidean })
        {
            double want = Silhouette.Score(s.Audio!, labels, metric), got = Silhouette.Score(l.Audio!, labels, metric);
            Assert.False(double.IsNaN(got), metric.ToString());
            Assert.Equal(want, got, 9);
        }
    }

    [Fact]
    public void IdenticalBundlesListTheUndefinedCorrelationsInSkipped()
    {
        using var tmp = Fixtures.TempDir();
        var bundle = EmbeddingBundle.Load(BundleWith(tmp, "b", [0, 0, 0, 1, 1, 1]));
        var audit = EmbeddingAudit.Run(bundle);
        var report = CrossBundleCorrelations.Compute([audit, audit, audit]);
        var rho = report.Correlations[CrossBundleCorrelations.Top1VsSilhouetteAudio].Rho;
        Assert.True(double.IsNaN(rho));
        string key = $"correlations.{CrossBundleCorrelations.Top1VsSilhouetteAudio}: ";
        Assert.Contains(report.Skipped, s => s.StartsWith(key) && s.Contains("same in every bundle"));
    }

    [Theory]
    [InlineData("\"hidden_size\": \"big\"", "\"hidden_size\" is \"big\", expected an integer")]
    [InlineData("\"hidden_size\": null", "\"hidden_size\" is null, expected an integer")]
    [InlineData("\"layer_norm_eps\": \"x\"", "\"layer_norm_eps\" is \"x\", expected a number")]
    [InlineData("\"num_hidden_layers\": -1", "must be")]
    public void ABadBertConfigValueIsBlamedOnTheFileAndKey(string entry, string message)
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("config.json");
        File.WriteAllText(path, "{\"model_type\": \"bert\", " + entry + "}");
        var e = Assert.Throws<ClapAuditException>(() => BertConfig.Load(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AnEmptyOrFifoClassesTxtIsRefusedWithoutHanging()
    {
        using var tmp = Fixtures.TempDir();
        string bundle = BundleWith(tmp, "b", [0, 1]);
        string classes = Path.Combine(bundle, "classes.txt");
        File.WriteAllText(classes, "");
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingBundle.Load(bundle));
        Assert.Contains("classes.txt: empty (or not a regular file)", e.Message);
        File.Delete(classes);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", classes)) mkfifo.WaitForExit();
        e = Assert.Throws<ClapAuditException>(() => EmbeddingBundle.Load(bundle));
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void BadSettingsAreUsageErrorsNamingTheSetting()
    {
        using var tmp = Fixtures.TempDir();
        string wav = tmp.File("a.wav");
        Clap.ClapWorld.WriteWav(wav, Clap.ClapWorld.Tone(0, 0));
        string[] embed = ["embed-audio", "--cnn14", Clap.ClapWorld.Cnn14Tiny, wav, "--out", tmp.File("x.npy")];
        var (code, _, err) = CliTestHost.Run([.. embed, "--sample-rate", "1"]);
        Assert.Equal(2, code);
        Assert.Contains("sample rate 1 Hz is outside 1000..768000 Hz", err);
        (code, _, err) = CliTestHost.Run([.. embed, "--threads", "-3"]);
        Assert.Equal(2, code);
        Assert.Contains("threads must be 0 (all cores) or a positive count, got -3", err);
    }

    [Fact]
    public void AnUnwritableOutputIsNamedAsTheUserWroteIt()
    {
        var e = Assert.Throws<ClapAuditException>(() => AtomicFile.WriteAllText("/proc/x.json", "{}"));
        Assert.Contains("/proc/x.json", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }
}

/// <summary>analyze --tsne into a folder that holds another run's maps (issue 20, item 7).</summary>
public class TsneFolderTests
{
    [Fact]
    public void AnalyzeTsneReplacesTheWholeFolderOfMapsAndMarksItWhileWriting()
    {
        using var tmp = Fixtures.TempDir();
        string bundle = tmp.File("b");
        Directory.CreateDirectory(bundle);
        // A bundle without backbones: a previous run's backbone maps must not stay beside the new maps.
        foreach (var f in new[] { "audio.npy", "text.npy", "labels.npy", "classes.txt" })
            File.Copy(Path.Combine(AnalysisFixtures.BundlePath("clusters"), f), Path.Combine(bundle, f));
        string maps = tmp.File("maps");
        Directory.CreateDirectory(maps);
        foreach (var stale in new[] { "audio_backbone.csv", "audio_backbone.png", "text_backbone.svg", "audio.csv" })
            File.WriteAllText(Path.Combine(maps, stale), "from another run");
        File.WriteAllText(Path.Combine(maps, "notes.txt"), "the user's own file");

        var (code, _, err) = CliTestHost.Run("analyze", bundle, "--tsne", maps);
        Assert.True(code == 0, err);
        Assert.Equal(["audio.csv", "audio.png", "audio.svg", "notes.txt", "text.csv", "text.png", "text.svg"],
            Directory.GetFiles(maps).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.StartsWith("x,y,label", File.ReadAllText(Path.Combine(maps, "audio.csv")));
    }
}

/// <summary>Checkpoint files cut short or with an absurd header (issue 20, item 11).</summary>
public class HostileCheckpointTests
{
    [Fact]
    public void ASafetensorsHeaderLengthThatDoesNotFitIsSaidAsSuch()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("model.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1UL << 62), .. "{\"a\": 1}"u8]);
        var e = Assert.Throws<ClapAuditException>(() => ClapAudit.Checkpoints.CheckpointFile.Read(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("safetensors header length 4611686018427387904 does not fit the file", e.Message);
    }

    [Fact]
    public void ATruncatedPthIsCalledIncompleteNotResaveAdvice()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("cut.pth");
        byte[] whole = File.ReadAllBytes(Clap.ClapWorld.Cnn14Tiny);
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var e = Assert.Throws<ClapAuditException>(() => ClapAudit.Checkpoints.CheckpointFile.Read(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        // The safe reader (issue 12) names the file and says the file ends early or is corrupt.
        Assert.StartsWith(path, e.Message);
        Assert.Matches("(?i)truncated|incomplete|ends|corrupt", e.Message);
        Assert.DoesNotContain("torch.save", e.Message);
    }
}
