using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Models;
using ClapAudit.Tests.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Clap;

/// <summary>msclap's checkpoint layout against the PyTorch reference of tools/make_clap_fixtures.py; embed-audio against a direct computation.</summary>
public class MsclapLoaderTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static string F(string name) => Fixtures.Path("clap", name);

    private static float[] Npy(string name) => NpyArray.Read(F(name)).ToFloatArray();

    private double MaxDiff(Tensor t, string fixture)
    {
        var expected = Npy(fixture);
        var actual = t.cpu().contiguous().data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double m = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{fixture}: max abs diff {m:E2}");
        return m;
    }

    [Fact]
    public void TinyMsclapCheckpointMatchesPyTorchWithin1e4()
    {
        using var clap = ClapModelLoader.Load(F("msclap-tiny.pth"), ClapWorld.Bert);
        Assert.Equal(ClapModelLoader.MsclapPreprocessing, clap.Preprocessing);
        Assert.False(clap.Preprocessing.Normalize);
        Assert.Equal(PadMode.Repeat, clap.Preprocessing.Pad);
        // Its melW is not the computed one: warned.
        Assert.Contains(clap.Warnings, w => w.Contains("mel filters differ"));
        using var scope = NewDisposeScope();
        var logMel = Npy("msclap-tiny-logmel.npy");
        using (no_grad())
        {
            var (xa, ea) = clap.Model.EncodeAudio(tensor(logMel, [2, 1, 40, 32]));
            Assert.True(MaxDiff(xa, "msclap-tiny-xa.npy") <= 1e-4 * 60); // x_a values reach ~60: relative 1e-4
            Assert.True(MaxDiff(ea, "msclap-tiny-ea.npy") <= 1e-4);
            var ids = NpyArray.Read(F("msclap-tiny-ids.npy")).ToInt64Array("ids");
            var mask = NpyArray.Read(F("msclap-tiny-mask.npy")).ToInt64Array("mask");
            long[] shape = [2, ids.Length / 2];
            var (xt, et) = clap.Model.EncodeText(tensor(ids, shape), tensor(mask, shape));
            Assert.True(MaxDiff(xt, "msclap-tiny-xt.npy") <= 1e-4);
            Assert.True(MaxDiff(et, "msclap-tiny-et.npy") <= 1e-4);
        }
        Assert.Equal(Math.Log(1 / 0.07) + 0.3, clap.Model.LogitScale.item<float>(), 5);
    }

    [Fact]
    public void AnMsclapCheckpointNeedsBert()
    {
        var e = Assert.Throws<ClapAuditException>(() => ClapModelLoader.Load(F("msclap-tiny.pth")));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains("--bert", e.Message);
        // The checkpoint's own filters can be chosen; they are then what the front-end uses.
        using var clap = ClapModelLoader.Load(F("msclap-tiny.pth"), ClapWorld.Bert, melFilters: MelFilterSource.Checkpoint);
        var melW = ((LogMelSpectrogram)clap.FrontEnd).MelFilters();
        Assert.Equal(513 * 32, melW.Length);
    }

    [Fact]
    public void ZeroShotRunsOnAnMsclapCheckpoint()
    {
        using var tmp = Fixtures.TempDir();
        string esc = ClapWorld.Esc50(tmp.Path);
        var (code, stdout, stderr) = CliTestHost.Run("zeroshot", "--model", F("msclap-tiny.pth"), "--bert", ClapWorld.Bert, "--esc50", esc, "--folds", "1");
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("zero-shot on 3 clips", stdout);
    }

    [Fact]
    public void EmbedAudioEqualsCnn14OnTheLogMelComputedDirectly()
    {
        using var tmp = Fixtures.TempDir();
        string a = tmp.File("a.wav"), b = tmp.File("b.wav");
        ClapWorld.WriteWav(a, ClapWorld.Tone(0, 1, 1.2));
        ClapWorld.WriteWav(b, ClapWorld.Tone(2, 3, 0.8)); // shorter than --duration: zero-padded
        var (code, _, err) = CliTestHost.Run("embed-audio", "--cnn14", ClapWorld.Cnn14Tiny, a, b, "--out", tmp.File("x.npy"),
            "--sample-rate", "16000", "--duration", "1", "--offset", "0.1", "--clipwise", tmp.File("y.npy"));
        Assert.True(code == 0, err);
        var xNpy = NpyArray.Read(tmp.File("x.npy"));
        Assert.Equal([2, 128], xNpy.Shape);
        var x = xNpy.ToFloatArray();

        using var cnn = Cnn14Checkpoint.Load(ClapWorld.Cnn14Tiny);
        var pre = new AudioPreprocessing { SampleRate = 16000, DurationSeconds = 1 };
        using var frontEnd = new LogMelSpectrogram(new LogMelOptions { SampleRate = 16000, MelBins = 32, FMax = 8000 });
        var waves = new[] { a, b }.SelectMany(p => AudioPreprocessor.Load(p, pre, 0.1)).ToArray();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            using var o = cnn.Model.call(frontEnd.call(tensor(waves, [2, 16000])));
            var expected = o.Embedding.data<float>().ToArray();
            double m = expected.Zip(x, (e, v) => Math.Abs(e - v)).Max();
            output.WriteLine($"embed-audio vs direct: max abs diff {m:E2}");
            Assert.True(m <= 1e-5);
            var clip = NpyArray.Read(tmp.File("y.npy")).ToFloatArray();
            Assert.Equal(o.Clipwise.data<float>().ToArray(), clip);
        }
    }
}

public class BackboneExportTests
{
    [Fact]
    public void BackbonesOnlyBundleHoldsXaAndXtEqualToEmbedAudio()
    {
        using var tmp = Fixtures.TempDir();
        string esc = ClapWorld.Esc50(tmp.Path), bundle = tmp.File("bb");
        var (code, _, err) = CliTestHost.Run("embed", "--backbones-only", "--cnn14", ClapWorld.Cnn14Tiny, "--bert", ClapWorld.Bert,
            "--esc50", esc, "--out", bundle, "--sample-rate", "16000");
        Assert.True(code == 0, err);
        Assert.False(File.Exists(Path.Combine(bundle, "audio.npy")));
        var xa = NpyArray.Read(Path.Combine(bundle, "audio_backbone.npy"));
        var xt = NpyArray.Read(Path.Combine(bundle, "text_backbone.npy"));
        Assert.Equal([6, 128], xa.Shape);
        Assert.Equal([3, 32], xt.Shape);
        var data = ClapAudit.Data.Esc50Reader.Read(esc);
        Assert.Equal(data.Items.Select(i => i.FileName), File.ReadAllLines(Path.Combine(bundle, "items.txt")));

        // The same clips through embed-audio (same defaults: 5 s, zero-padded, normalised) give the same x_a.
        var files = data.Items.Select(i => i.AudioPath).ToArray();
        (code, _, err) = CliTestHost.Run(new[] { "embed-audio", "--cnn14", ClapWorld.Cnn14Tiny }.Concat(files)
            .Concat(["--out", tmp.File("x.npy"), "--sample-rate", "16000"]).ToArray());
        Assert.True(code == 0, err);
        var direct = NpyArray.Read(tmp.File("x.npy")).ToFloatArray();
        double m = direct.Zip(xa.ToFloatArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(m <= 1e-5, $"max abs diff {m}");

        // x_t equals embed-text's on the prompts.
        var prompts = data.Prompts();
        File.WriteAllLines(tmp.File("prompts.txt"), prompts);
        (code, _, err) = CliTestHost.Run("embed-text", "--bert", ClapWorld.Bert, "--file", tmp.File("prompts.txt"), "--out", tmp.File("t.npy"));
        Assert.True(code == 0, err);
        double mt = NpyArray.Read(tmp.File("t.npy")).ToFloatArray().Zip(xt.ToFloatArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(mt <= 1e-5, $"x_t max abs diff {mt}");
    }
}
