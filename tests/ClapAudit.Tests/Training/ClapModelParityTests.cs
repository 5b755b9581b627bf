using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary>
/// Loss, gradients, clipping and one Adam step against PyTorch 1.13 on the same tiny model and batch
/// (fixtures from tools/make_training_fixtures.py; model in eval mode so dropout is off).
/// </summary>
public class ClapModelParityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal static ClapModel LoadFixtureModel(string folder)
    {
        var model = Tiny.Model();
        using (no_grad())
            foreach (var (key, t) in model.state_dict())
            {
                var npy = NpyArray.Read(Path.Combine(folder, "w." + key + ".npy"));
                using var src = tensor(npy.ToFloatArray(), t.shape);
                t.copy_(src);
            }
        return model;
    }

    private static Tensor Load(string folder, string name, ScalarType type = ScalarType.Float32)
    {
        var npy = NpyArray.Read(Path.Combine(folder, name + ".npy"));
        long[] shape = npy.Shape.Select(s => (long)s).ToArray();
        return type == ScalarType.Int64 ? tensor(npy.ToInt64Array(name), shape) : tensor(npy.ToFloatArray(), shape);
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("clamp")]
    [InlineData("clip")]
    public void OneStepMatchesPyTorch(string name)
    {
        string folder = Fixtures.Path("training", name);
        var meta = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "meta.json"))).RootElement;
        using var model = LoadFixtureModel(folder);
        model.eval();
        using var logMel = Load(folder, "logmel");
        using var ids = Load(folder, "ids", ScalarType.Int64);
        using var mask = Load(folder, "mask", ScalarType.Int64);

        // The case does what it is named for: the clamp acts on the same entries PyTorch clamped.
        using (no_grad())
        {
            var (_, ea) = model.EncodeAudio(logMel);
            var (_, et) = model.EncodeText(ids, mask);
            using var raw = model.LogitScale.exp() * ea.matmul(et.t());
            Assert.Equal(meta.GetProperty("clamped_logits").GetInt32(), (int)(raw.abs() > 100).sum().item<long>());
        }

        using var optimizer = optim.Adam(model.TrainableParameters(), meta.GetProperty("adam_lr").GetDouble());
        var (loss, norm) = TrainingStep.Apply(model, logMel, ids, mask, optimizer, 100);

        double expectedLoss = Load(folder, "loss").item<float>();
        double expectedNorm = Load(folder, "grad_norm").item<float>();
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-4 * Math.Max(1, Math.Abs(expectedLoss)), $"loss {loss} vs PyTorch {expectedLoss}");
        Assert.True(Math.Abs(norm - expectedNorm) <= 1e-4 * Math.Max(1, expectedNorm), $"grad norm {norm} vs PyTorch {expectedNorm}");
        Assert.Equal(meta.GetProperty("clip_acts").GetBoolean(), norm > 100);

        double maxG = 0, maxW = 0;
        foreach (var (key, p) in model.named_parameters())
        {
            using var g = Load(folder, "g." + key);
            using var after = Load(folder, "a." + key);
            double gErr = (p.grad!.reshape(g.shape) - g).abs().max().item<float>();
            double wErr = (p.detach().reshape(after.shape) - after).abs().max().item<float>();
            Assert.True(gErr <= 1e-4, $"{name}: gradient of {key} differs from PyTorch by {gErr}");
            Assert.True(wErr <= 1e-5, $"{name}: {key} after one Adam step differs from PyTorch by {wErr}");
            maxG = Math.Max(maxG, gErr);
            maxW = Math.Max(maxW, wErr);
        }
        output.WriteLine($"{name}: loss {loss} vs {expectedLoss} (diff {Math.Abs(loss - expectedLoss):E1}), grad norm {norm} vs {expectedNorm}, max gradient diff {maxG:E1}, max weight diff after Adam {maxW:E1}");
    }

    [Fact]
    public void StateDictKeysAreMsclapsLayout()
    {
        // The key list PyTorch's module tree produced (the fixture's w.* files) equals ours.
        var expected = Directory.GetFiles(Fixtures.Path("training", "normal"), "w.*.npy")
            .Select(f => Path.GetFileName(f)[2..^4]).Order().ToArray();
        using var model = Tiny.Model();
        Assert.Equal(expected, model.state_dict().Keys.Order().ToArray());
        Assert.Contains("audio_encoder.projection.linear1.weight", expected);
        Assert.Contains("logit_scale", expected);
    }

    [Fact]
    public void LogitScaleStartsAtLnOneOverPoint07AndEmbeddingsHaveUnitNorm()
    {
        using var model = Tiny.Model();
        Assert.Equal(Math.Log(1 / 0.07), model.LogitScale.item<float>(), 5);
        model.eval();
        using var x = randn(3, 1, Tiny.Frames, Tiny.Mels);
        var (xa, ea) = model.EncodeAudio(x);
        Assert.Equal(new long[] { 3, Tiny.AudioSize }, xa.shape);
        Assert.Equal(new long[] { 3, Tiny.ProjectionDim }, ea.shape);
        var norms = ea.norm(1).data<float>().ToArray();
        Assert.All(norms, n => Assert.Equal(1.0, n, 5));
    }

    [Fact]
    public void ClipLossOfTwoPairsEqualsTheClosedForm()
    {
        // logits [[a, b], [c, d]]: rows give -log softmax at the diagonal, columns likewise.
        float a = 2, b = -1, c = 0.5f, d = 1;
        using var logits = tensor(new[] { a, b, c, d }, [2, 2]);
        double rows = (-(a - Math.Log(Math.Exp(a) + Math.Exp(b))) - (d - Math.Log(Math.Exp(c) + Math.Exp(d)))) / 2;
        double cols = (-(a - Math.Log(Math.Exp(a) + Math.Exp(c))) - (d - Math.Log(Math.Exp(b) + Math.Exp(d)))) / 2;
        Assert.Equal((rows + cols) / 2, ClipLoss.Compute(logits).item<float>(), 5);
        Assert.Throws<ClapAuditException>(() => ClipLoss.Compute(zeros(2, 3)));
    }

    [Fact]
    public void ProjectionDropoutActsOnlyInTraining()
    {
        using var p = new Projection(6, 8, 0.5);
        using var x = randn(64, 6);
        p.eval();
        using var a = p.call(x);
        using var b = p.call(x);
        Assert.Equal(0, (a - b).abs().max().item<float>());
        p.train();
        using var c = p.call(x);
        Assert.True((a - c).abs().max().item<float>() > 1e-3);
        // With its own seeded generator, dropout repeats whatever else draws from torch's generator.
        using var g1 = new Generator(42);
        p.DropoutGenerator = g1;
        using var d = p.call(x);
        using var noise = randn(100);
        using var g2 = new Generator(42);
        p.DropoutGenerator = g2;
        using var e = p.call(x);
        Assert.Equal(0, (d - e).abs().max().item<float>());
        Assert.Equal(new[] { "layer_norm.bias", "layer_norm.weight", "linear1.weight", "linear2.weight" }, p.state_dict().Keys.Order().ToArray());
    }

    [Fact]
    public void FrozenBackbonesHaveNoGradientsAndStayInEvalMode()
    {
        using var model = Tiny.Model();
        model.SetBackbonesFrozen(true);
        model.train();
        Assert.False(model.AudioEncoder.Backbone.training);
        Assert.False(model.CaptionEncoder.Backbone.training);
        Assert.True(model.AudioEncoder.Projector.training);
        var trainable = model.TrainableParameters().Count;
        Assert.Equal(9, trainable); // 2 projectors x (linear1, linear2, ln weight, ln bias) + logit_scale
        model.SetBackbonesFrozen(false);
        Assert.True(model.AudioEncoder.Backbone.training);
        Assert.Equal(model.parameters().Count(), model.TrainableParameters().Count);
    }
}
