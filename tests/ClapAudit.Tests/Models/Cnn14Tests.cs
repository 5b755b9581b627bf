using Xunit.Abstractions;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Models;

/// <summary>
/// CNN14 against the plain-torch reference in tools/make_model_fixtures.py (fixtures in
/// tests/fixtures/models/, made by that script): eval-mode outputs within 1e-4 max-abs.
/// </summary>
public class Cnn14Tests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void TinyPannsCheckpointLoadsWithInferredShapesAndMatchesPyTorch()
    {
        using var loaded = Cnn14Checkpoint.Load(Fixtures.Path("models", "cnn14-tiny.pth"));
        Assert.Equal(new[] { 4, 8, 16, 32, 64, 128 }, loaded.Options.Channels);
        Assert.Equal((32, 10, 128), (loaded.Options.MelBins, loaded.Options.ClassCount, loaded.Model.EmbeddingSize));
        Assert.True(loaded.Report.IsExact, loaded.Report.Describe("tiny", "cnn14"));
        Assert.Equal("0", loaded.Metadata["iteration"]);
        Assert.Equal(new long[] { 33, 1, 64 }, loaded.FrontEnd.StftReal!.Shape);
        Assert.Equal(new long[] { 33, 1, 64 }, loaded.FrontEnd.StftImag!.Shape);
        Assert.Equal(new long[] { 33, 32 }, loaded.FrontEnd.MelFilters!.Shape);
        // conv_real[k=1, 0, n=16] = cos(2*pi*16/64) * hann(16) = 0 * 0.5; [1,0,8] = cos(pi/4) * hann(8)
        Assert.Equal(Math.Cos(Math.PI / 4) * (0.5 - 0.5 * Math.Cos(2 * Math.PI * 8 / 64)), loaded.FrontEnd.StftReal.Values[64 + 8], 6);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = ParityAssert.Load(Fixtures.Path("models", "cnn14-tiny-logmel.npy"));
        var output = loaded.Model.call(x);
        double ea = ParityAssert.MaxAbs(output.Embedding, Fixtures.Path("models", "cnn14-tiny-xa.npy"));
        double ec = ParityAssert.MaxAbs(output.Clipwise, Fixtures.Path("models", "cnn14-tiny-clipwise.npy"));
        log.WriteLine($"CNN14 tiny parity: x_a max-abs {ea:E2}, clipwise max-abs {ec:E2}");
        Assert.True(ea < Tolerance, $"x_a max-abs error {ea:E2}");
        Assert.True(ec < Tolerance, $"clipwise max-abs error {ec:E2}");
        double ee = ParityAssert.MaxAbs(loaded.Model.EmbedAudio(x), Fixtures.Path("models", "cnn14-tiny-xa.npy"));
        Assert.True(ee < Tolerance);
    }

    [Fact]
    public void MsclapPrefixedAndBareStateDictsGiveTheSameModel()
    {
        using var clap = Cnn14Checkpoint.Load(Fixtures.Path("models", "cnn14-micro-msclap.pth"));
        using var bare = Cnn14Checkpoint.Load(Fixtures.Path("models", "cnn14-micro-bare.pth"));
        Assert.Equal(new[] { 2, 2, 2, 2, 2, 4 }, clap.Options.Channels);
        Assert.Equal(3, clap.Options.ClassCount);
        Assert.True(clap.FrontEnd.IsEmpty);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(2, 1, 40, 32);
        var a = clap.Model.EmbedAudio(x);
        var b = bare.Model.EmbedAudio(x);
        Assert.Equal(0.0, (a - b).abs().max().item<float>());
    }

    [Fact]
    public void A8To256TenClassFileLoadsWithoutAnyFlag()
    {
        using var dir = Fixtures.TempDir();
        var opts = Cnn14Options.Tiny;
        using (var m = new Cnn14(opts)) m.save_py(dir.File("tiny.pth"));
        using var loaded = Cnn14Checkpoint.Load(dir.File("tiny.pth"));
        Assert.Equal(new[] { 8, 16, 32, 64, 128, 256 }, loaded.Options.Channels);
        Assert.Equal((32, 10, 256), (loaded.Options.MelBins, loaded.Options.ClassCount, loaded.Model.EmbeddingSize));
    }

    [Fact]
    public void FullSizeCnn14HasExactlyThePannsKeysAndShapes()
    {
        var expected = ParityAssert.ReadKeyTable(Fixtures.Path("models", "cnn14-keys.tsv"))
            .Where(r => !r.Key.StartsWith("spectrogram_extractor.") && !r.Key.StartsWith("logmel_extractor.")).ToList();
        using var model = new Cnn14();
        var actual = model.state_dict().Select(kv => (kv.Key, ParityAssert.ShapeText(kv.Value), ParityAssert.DTypeText(kv.Value))).ToList();
        // TorchSharp lists parameters before buffers; PyTorch interleaves them per module: compare as sets.
        Assert.Equal(string.Join("\n", expected.Order()), string.Join("\n", actual.Order()));
        Assert.Equal(2048, model.EmbeddingSize);
        long parameters = model.parameters().Sum(p => p.numel());
        Assert.Equal(80_753_615L, parameters);
    }

    [Fact]
    public void MismatchListsMissingUnexpectedAndShapesInOneError()
    {
        using var file = CheckpointFile.Read(Fixtures.Path("models", "cnn14-micro-bare.pth"));
        var tensors = file.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors.Remove("fc1.bias", out var fc1b);
        tensors["fc1.bias_renamed"] = fc1b!;
        using var model = new Cnn14(new Cnn14Options { MelBins = 32, Channels = [2, 2, 2, 2, 2, 8], ClassCount = 3 });
        var e = Assert.Throws<ClapAuditException>(() => StateDictLoader.Load(model, tensors, strict: true, "micro", "cnn14"));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("1 missing key(s) (model has, file lacks): fc1.bias", e.Message);
        Assert.Contains("1 unexpected key(s) (file has, model lacks): fc1.bias_renamed", e.Message);
        Assert.Contains("conv_block6.conv1.weight model [8x2x3x3] file [4x2x3x3]", e.Message);

        // Non-strict: missing/unexpected are reported, not thrown (shapes must fit).
        tensors = file.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors.Remove("fc_audioset.bias");
        using var ok = new Cnn14(new Cnn14Options { MelBins = 32, Channels = [2, 2, 2, 2, 2, 4], ClassCount = 3 });
        var report = StateDictLoader.Load(ok, tensors, strict: false, "micro", "cnn14");
        Assert.Equal(new[] { "fc_audioset.bias" }, report.MissingKeys);
        Assert.Throws<ClapAuditException>(() => StateDictLoader.Load(ok, tensors, strict: true, "micro", "cnn14"));
    }

    [Fact]
    public void WrongMelCountOrTooFewFramesIsAMismatchNamingTheShape()
    {
        using var model = new Cnn14(new Cnn14Options { MelBins = 32, Channels = [2, 2, 2, 2, 2, 4], ClassCount = 3 });
        using var wrongMels = zeros(1, 1, 64, 64);
        var e = Assert.Throws<ClapAuditException>(() => model.EmbedAudio(wrongMels));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("(batch, 1, frames, 32), got (1, 1, 64, 64)", e.Message);
        using var short_ = zeros(1, 1, 16, 32);
        Assert.Contains("at least 32 frames", Assert.Throws<ClapAuditException>(() => model.EmbedAudio(short_)).Message);
    }

    [Fact]
    public void LegacyPickleIsRead()
    {
        // torch.save({'w': torch.zeros(2)}, _use_new_zipfile_serialization=False): the pre-1.6 container.
        using var file = CheckpointFile.Read(Fixtures.Path("models", "legacy-pickle.pth"));
        Assert.Equal(new long[] { 2 }, file["w"].shape);
        Assert.Equal(0f, file["w"].abs().sum().item<float>());
    }

    [Fact]
    public void SpecAugmentStripesStayWithinTheirWidths()
    {
        torch.manual_seed(3);
        var keep = SpecAugment.StripeMask(batch: 50, total: 100, dropWidth: 8, stripes: 2);
        for (int i = 0; i < 50; i++)
        {
            int zeros = keep.Skip(i * 100).Take(100).Count(v => v == 0);
            Assert.InRange(zeros, 0, 2 * 7); // each stripe width is randint(0, 8) = 0..7
        }
        Assert.Contains(0f, keep);

        using var model = new Cnn14(new Cnn14Options { MelBins = 32, Channels = [2, 2, 2, 2, 2, 4], ClassCount = 3 });
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(4, 1, 64, 32);
        model.eval();
        var e1 = model.EmbedAudio(x);
        var e2 = model.EmbedAudio(x);
        Assert.Equal(0f, (e1 - e2).abs().max().item<float>()); // eval: deterministic
        model.train();
        var t = model.call(x);
        Assert.Equal(new long[] { 4, 4 }, t.Embedding.shape);
    }

    [Fact]
    public void MixupMixesConsecutivePairs()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 10, 20, 100, 200, 1000, 2000 }, [4, 2]);
        var lam = tensor(new float[] { 0.25f, 0.75f, 0.5f, 0.5f });
        var y = Mixup.Apply(x, lam);
        Assert.Equal(new float[] { 7.75f, 15.5f, 550, 1100 }, y.data<float>().ToArray());
        var l = Mixup.Lambdas(6, 1.0, new Random(1));
        for (int i = 0; i < 6; i += 2) Assert.Equal(1.0, l[i] + l[i + 1], 6);
    }
}
