using System.Text.Json;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Evaluation;
using ClapAudit.Tests.Cli;
using ClapAudit.Training;

namespace ClapAudit.Tests.Clap;

/// <summary>train -> zeroshot / embed -> analyze on a tiny synthetic world, through the CLI.</summary>
public class ClapEndToEndTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static string[] Train(string manifest, string run, params string[] extra) =>
        new[] { "train", "--manifest", manifest, "--bert", ClapWorld.Bert, "--cnn14", ClapWorld.Cnn14Tiny, "--out", run }
            .Concat(ClapWorld.Overrides.SelectMany(o => new[] { "--set", o })).Concat(extra).ToArray();

    /// <summary>
    /// embed --retrieval on a Clotho evaluation split made of the ESC-50 clips, captioned with the class prompts:
    /// its rows must be the ESC-50 bundle's E_a and E_t rows (same model, same preprocessing).
    /// </summary>
    private static void RetrievalBundleHoldsTheSameEmbeddings(TempDir tmp, string run, ZeroShotTestSet data, EmbeddingBundle esc)
    {
        string clotho = tmp.File("clotho");
        Directory.CreateDirectory(Path.Combine(clotho, "evaluation"));
        var prompts = data.Prompts();
        var rows = new List<string> { "file_name,caption_1,caption_2,caption_3,caption_4,caption_5" };
        foreach (var item in data.Items)
        {
            File.Copy(item.AudioPath, Path.Combine(clotho, "evaluation", item.FileName));
            string p = prompts[item.Target];
            rows.Add($"{item.FileName},{p},{p},{p},{p},{p}");
        }
        File.WriteAllLines(Path.Combine(clotho, "clotho_captions_evaluation.csv"), rows);
        string rb = tmp.File("retrieval");
        var (code, _, stderr) = CliTestHost.Run("embed", "--model", run, "--retrieval", "clotho=" + clotho, "--out", rb);
        Assert.True(code == 0, stderr);
        var r = RetrievalBundle.Load(rb);
        Assert.Equal(data.Items.Count, r.Audio.Rows);
        Assert.Equal(Enumerable.Range(0, data.Items.Count).SelectMany(i => Enumerable.Repeat(i, 5)), r.CaptionAudio);
        Assert.Equal(data.Items.Select(i => i.FileName), File.ReadAllLines(Path.Combine(rb, "items.txt")));
        for (int i = 0; i < r.Audio.Rows; i++)
            for (int k = 0; k < r.Audio.Columns; k++)
            {
                Assert.Equal(esc.Audio!.Row(i)[k], r.Audio.Row(i)[k], 5);
                Assert.Equal(esc.Text!.Row(data.Items[i].Target)[k], r.Text.Row(5 * i)[k], 5);
            }
    }

    /// <summary>embed --folder on DIR/&lt;class&gt;/*.wav made of the ESC-50 clips: the same E_a rows, in class-folder order.</summary>
    private static void LabelledFolderBundleHoldsTheSameEmbeddings(TempDir tmp, string run, ZeroShotTestSet data, EmbeddingBundle esc)
    {
        string folder = tmp.File("labelled");
        foreach (var item in data.Items)
        {
            Directory.CreateDirectory(Path.Combine(folder, data.RawCategories[item.Target]));
            File.Copy(item.AudioPath, Path.Combine(folder, data.RawCategories[item.Target], item.FileName));
        }
        string b = tmp.File("labelled-bundle");
        var (code, _, stderr) = CliTestHost.Run("embed", "--model", run, "--folder", folder, "--out", b);
        Assert.True(code == 0, stderr);
        var set = LabelledTestSets.Folder(folder);
        var bundle = EmbeddingBundle.Load(b);
        Assert.Equal(data.RawCategories.Order(StringComparer.Ordinal), bundle.ClassNames);
        Assert.All(NpyArray.Read(Path.Combine(b, "folds.npy")).ToInt64Array("folds"), f => Assert.Equal(0, f));
        for (int r = 0; r < set.Items.Count; r++)
        {
            int i = data.Items.ToList().FindIndex(x => x.FileName == Path.GetFileName(set.Items[r].AudioPath));
            Assert.Equal(data.ClassNames[data.Items[i].Target], bundle.ClassNames[bundle.Labels[r]]);
            for (int k = 0; k < bundle.Audio!.Columns; k++) Assert.Equal(esc.Audio!.Row(i)[k], bundle.Audio.Row(r)[k], 5);
        }
    }

    [Fact]
    public void TrainResumesAndZeroShotEqualsAnalyzeOnTheExportedBundle()
    {
        using var tmp = Fixtures.TempDir();
        string manifest = ClapWorld.Manifest(tmp.Path), esc50 = ClapWorld.Esc50(tmp.Path), run = tmp.File("run");

        var (code, stdout, stderr) = CliTestHost.Run(Train(manifest, run, "--json"));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        // One JSON line per epoch on stdout.
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using (var first = JsonDocument.Parse(lines[0])) Assert.Equal("frozen", first.RootElement.GetProperty("phase").GetString());
        using (var second = JsonDocument.Parse(lines[1])) Assert.Equal("unfrozen", second.RootElement.GetProperty("phase").GetString());
        // The checkpoint's PANNs front-end buffers (n_fft 64) do not match the recipe's window 512: warned.
        Assert.Contains("warning:", stderr);
        Assert.True(File.Exists(Path.Combine(run, "run.json")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "log.csv")).Length);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "best.ckpt")));
        Assert.True(File.Exists(Path.Combine(run, "text", "vocab.txt")));
        var state = Checkpoint.ReadState(Path.Combine(run, "checkpoints", "last.ckpt"));
        Assert.Equal(2, state.Epoch);
        Assert.Equal(6, state.GlobalStep); // 12 pairs / batch 4 = 3 steps per epoch
        Assert.NotNull(state.Backbones);
        Assert.Equal([4, 8, 16, 32, 64, 128], state.Backbones!.Cnn14.Channels);
        Assert.Equal(32, state.Backbones.Bert.HiddenSize);
        Assert.Equal(16000, state.Backbones.LogMel.SampleRate);

        // Re-running a finished run does nothing; raising max_epochs (a resumable key) continues it.
        (code, _, _) = CliTestHost.Run(Train(manifest, run));
        Assert.Equal(0, code);
        Assert.Equal(6, Checkpoint.ReadState(Path.Combine(run, "checkpoints", "last.ckpt")).GlobalStep);
        (code, _, stderr) = CliTestHost.Run(Train(manifest, run, "--set", "max_epochs=3"));
        Assert.Equal(0, code);
        Assert.Contains("resumed at epoch 2", stderr);
        Assert.Equal(9, Checkpoint.ReadState(Path.Combine(run, "checkpoints", "last.ckpt")).GlobalStep);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "log.csv")).Length);

        // zeroshot and analyze on the exported bundle agree.
        string zjson = tmp.File("z.json"), bundle = tmp.File("bundle"), ajson = tmp.File("a.json"), conf = tmp.File("conf");
        (code, stdout, stderr) = CliTestHost.Run("zeroshot", "--model", run, "--esc50", esc50, "--json", zjson, "--out", conf);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("top-1", stdout);
        (code, _, stderr) = CliTestHost.Run("embed", "--model", run, "--esc50", esc50, "--out", bundle);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliTestHost.Run("analyze", bundle, "--json", ajson);
        Assert.True(code == 0, stderr);
        using var z = JsonDocument.Parse(File.ReadAllText(zjson));
        using var a = JsonDocument.Parse(File.ReadAllText(ajson));
        double zTop1 = z.RootElement.GetProperty("top1").GetDouble();
        double aTop1 = a.RootElement.GetProperty("bundles")[0].GetProperty("zero_shot").GetProperty("top1").GetDouble();
        Assert.Equal(zTop1, aTop1, 12);
        Assert.Equal(z.RootElement.GetProperty("top5").GetDouble(),
            a.RootElement.GetProperty("bundles")[0].GetProperty("zero_shot").GetProperty("top5").GetDouble(), 12);
        Assert.Equal(6, z.RootElement.GetProperty("n_items").GetInt32());
        Assert.Equal(ClapWorld.Classes, z.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(3, z.RootElement.GetProperty("per_class").EnumerateObject().Count());
        Assert.True(File.Exists(Path.Combine(conf, "confusion.csv")));
        Assert.True(File.Exists(Path.Combine(conf, "confusion.png")));

        // The bundle: rows in esc50.csv order, E_a unit norm, items.txt names the files.
        var loaded = EmbeddingBundle.Load(bundle);
        var data = Esc50Reader.Read(esc50);
        RetrievalBundleHoldsTheSameEmbeddings(tmp, run, data, loaded);
        LabelledFolderBundleHoldsTheSameEmbeddings(tmp, run, data, loaded);
        Assert.Equal(data.Items.Select(i => (long)i.Fold), NpyArray.Read(Path.Combine(bundle, "folds.npy")).ToInt64Array("folds"));
        Assert.Equal(data.Items.Select(i => i.Target), loaded.Labels);
        Assert.Equal(data.Items.Select(i => i.FileName), File.ReadAllLines(Path.Combine(bundle, "items.txt")));
        for (int i = 0; i < loaded.Audio!.Rows; i++)
            Assert.Equal(1.0, Math.Sqrt(loaded.Audio!.Row(i).ToArray().Sum(v => v * v)), 5);
        Assert.NotNull(loaded.AudioBackbone);
        Assert.Equal(128, loaded.AudioBackbone!.Columns);
        output.WriteLine($"zero-shot top-1 {zTop1} (zeroshot) = {aTop1} (analyze)");

        // Deterministic: a second evaluation gives the same embeddings.
        using var model = ClapModelLoader.Load(run);
        var r1 = ZeroShotEvaluation.Evaluate(model, data);
        var r2 = ZeroShotEvaluation.Evaluate(model, data);
        Assert.Equal(zTop1, r1.Top1, 12);
        Assert.Equal(r1.Confusion, r2.Confusion);
    }

    [Fact]
    public void ClapTrainingRunsFromRandomInitWithTheApi()
    {
        using var tmp = Fixtures.TempDir();
        string manifest = ClapWorld.Manifest(tmp.Path);
        var recipe = new TrainingRecipe().WithOverrides(ClapWorld.Overrides.Append("max_epochs=1"));
        var job = new ClapTrainJob(manifest, ClapWorld.Bert, null, tmp.File("run"), recipe)
        {
            RandomInit = new ClapAudit.Models.Cnn14Options { Channels = [4, 4, 8, 8, 16, 16], ClassCount = 3 },
            GitCommit = "test",
        };
        var result = ClapTraining.Run(job);
        Assert.Equal(TrainingStatus.MaxEpochs, result.Status);
        Assert.Equal(3, result.GlobalStep);
        var state = Checkpoint.ReadState(result.LastCheckpoint);
        Assert.Equal("none", state.Backbones!.Cnn14Source);
        Assert.Equal(32, state.Backbones.Cnn14.MelBins);
        using var model = ClapModelLoader.Load(result.LastCheckpoint);
        Assert.Equal(16, model.Model.AudioEncoder.Projector.InputSize);
        Assert.Equal(16000, model.Preprocessing.SampleRate);
        Assert.Equal(16, model.TextLength);
    }

    [Fact]
    public void MissingFilesGiveExitCode3()
    {
        using var tmp = Fixtures.TempDir();
        Assert.Equal(3, CliTestHost.Run("train", "--manifest", tmp.File("nope"), "--bert", ClapWorld.Bert, "--cnn14", "none", "--out", tmp.File("r")).Code);
        Assert.Equal(3, CliTestHost.Run("zeroshot", "--model", tmp.File("nope.ckpt"), "--esc50", ClapWorld.Esc50(tmp.Path)).Code);
        Assert.Equal(3, CliTestHost.Run("embed", "--model", tmp.File("run"), "--esc50", tmp.File("no-esc"), "--out", tmp.File("b")).Code);
        Assert.Equal(3, CliTestHost.Run("embed-audio", "--cnn14", ClapWorld.Cnn14Tiny, tmp.File("missing.wav"), "--out", tmp.File("x.npy")).Code);
        // An empty run directory has no checkpoint.
        Directory.CreateDirectory(tmp.File("emptyrun"));
        var (code, _, err) = CliTestHost.Run("zeroshot", "--model", tmp.File("emptyrun"), "--esc50", ClapWorld.Esc50(tmp.Path));
        Assert.Equal(3, code);
        Assert.Contains("best.ckpt", err);
        // Bad settings are usage errors.
        Assert.Equal(2, CliTestHost.Run(Train(tmp.File("m"), tmp.File("r"), "--set", "fmax=9000")).Code);
    }
}
