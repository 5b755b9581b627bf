using Xunit.Abstractions;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Models;

/// <summary>
/// BERT against the plain-torch reference in tools/make_model_fixtures.py: a tiny config (hidden 32,
/// 2 layers, 4 heads, intermediate 64, vocab 128) loaded from a HF folder with pytorch_model.bin
/// (bert. prefix, cls.* head, gamma/beta, position_ids) and one with model.safetensors.
/// </summary>
public class BertTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("bert-tiny-bin", "pytorch_model.bin")]
    [InlineData("bert-tiny-st", "model.safetensors")]
    public void TinyFolderLoadsStrictAndMatchesPyTorch(string folder, string weights)
    {
        using var bert = HuggingFaceBert.Load(Fixtures.Path("models", folder));
        Assert.EndsWith(weights, bert.WeightsFile);
        Assert.True(bert.Report.IsExact, bert.Report.Describe(folder, "bert"));
        Assert.Equal((32, 2, 4, 64, 128), (bert.Config.HiddenSize, bert.Config.NumHiddenLayers, bert.Config.NumAttentionHeads, bert.Config.IntermediateSize, bert.Config.VocabSize));

        var texts = File.ReadAllLines(Fixtures.Path("models", "bert-tiny-texts.txt"));
        var batch = bert.Tokenizer.EncodeBatch(texts);
        var expectedIds = NpyArray.Read(Fixtures.Path("models", "bert-tiny-ids.npy"));
        Assert.Equal(expectedIds.ToInt64Array("ids"), batch.InputIds);
        Assert.Equal(NpyArray.Read(Fixtures.Path("models", "bert-tiny-mask.npy")).ToInt64Array("mask"), batch.AttentionMask);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ids, mask) = batch.ToTensors();
        double eh = ParityAssert.MaxAbs(bert.Model.call(ids, mask), Fixtures.Path("models", "bert-tiny-hidden.npy"));
        double ex = ParityAssert.MaxAbs(bert.Model.EmbedText(ids, mask), Fixtures.Path("models", "bert-tiny-xt.npy"));
        Assert.True(eh < Tolerance, $"last_hidden_state max-abs error {eh:E2}");
        Assert.True(ex < Tolerance, $"x_t max-abs error {ex:E2}");

        // msclap pads to a fixed length; padded keys are masked out, so x_t does not change.
        var (ids16, mask16) = bert.Tokenizer.EncodeBatch(texts, 16, TokenPadding.MaxLength).ToTensors();
        double em = ParityAssert.MaxAbs(bert.Model.EmbedText(ids16, mask16), Fixtures.Path("models", "bert-tiny-xt-maxlen.npy"));
        log.WriteLine($"BERT tiny parity ({weights}): last_hidden_state {eh:E2}, x_t {ex:E2}, x_t padded to 16 {em:E2}");
        Assert.True(em < Tolerance, $"x_t (padded to 16) max-abs error {em:E2}");
    }

    [Fact]
    public void FullSizeBertHasExactlyTheBertBaseUncasedKeysAndShapes()
    {
        var expected = ParityAssert.ReadKeyTable(Fixtures.Path("models", "bert-base-uncased-keys.tsv"));
        using var model = new BertModel(BertConfig.BertBaseUncased);
        var actual = model.state_dict().Select(kv => (kv.Key, ParityAssert.ShapeText(kv.Value), ParityAssert.DTypeText(kv.Value))).ToList();
        Assert.Equal(string.Join("\n", expected.Order()), string.Join("\n", actual.Order()));
        Assert.Equal(109_482_240L, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void KeyMapStripsPrefixHeadsAndRenamesGammaBeta()
    {
        using var file = CheckpointFile.Read(Fixtures.Path("models", "bert-tiny-bin", "pytorch_model.bin"));
        Assert.Contains("bert.embeddings.LayerNorm.gamma", file.Keys);
        var mapped = HuggingFaceBert.MapKeys(file.Tensors);
        Assert.Contains("embeddings.LayerNorm.weight", mapped.Keys);
        Assert.Contains("encoder.layer.1.output.LayerNorm.bias", mapped.Keys);
        Assert.DoesNotContain(mapped.Keys, k => k.StartsWith("cls.") || k.Contains("position_ids") || k.Contains("gamma"));
    }

    [Fact]
    public void FolderWithoutWeightsOrWithWrongShapesFailsClearly()
    {
        using var dir = Fixtures.TempDir();
        foreach (var f in new[] { "config.json", "vocab.txt" }) File.Copy(Fixtures.Path("models", "bert-tiny-st", f), dir.File(f));
        var e = Assert.Throws<ClapAuditException>(() => HuggingFaceBert.Load(dir.Path));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("model.safetensors", e.Message);

        File.Copy(Fixtures.Path("models", "bert-tiny-st", "model.safetensors"), dir.File("model.safetensors"));
        File.WriteAllText(dir.File("config.json"), File.ReadAllText(dir.File("config.json")).Replace("\"intermediate_size\": 64", "\"intermediate_size\": 48"));
        e = Assert.Throws<ClapAuditException>(() => HuggingFaceBert.Load(dir.Path));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("6 shape mismatch(es)", e.Message);
        Assert.Contains("encoder.layer.0.intermediate.dense.weight model [48x32] file [64x32]", e.Message);
    }
}
