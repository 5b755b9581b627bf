using System.Text.Json;
using ClapAudit.Common;
using ClapAudit.Tests.Cli;

namespace ClapAudit.Tests.Checkpoints;

/// <summary>inspect, tokenize and embed-text driven in-process on the committed fixtures.</summary>
public class CheckpointCommandsTests
{
    [Fact]
    public void InspectNamesThePannsCnn14WithInferredWidths()
    {
        var (code, output, err) = CliTestHost.Run("inspect", Fixtures.Path("models", "cnn14-tiny.pth"));
        Assert.True(code == 0, err);
        Assert.Contains("fits: PANNs CNN14: CNN14(mels 32, channels 4-8-16-32-64-128, embedding 128, classes 10): yes", output);
        Assert.Contains("conv_block6.conv2.weight", output);
        Assert.Contains("128x128x3x3", output);
        Assert.Contains("metadata: iteration = 0", output);
    }

    [Fact]
    public void InspectRecognisesAnMsclapLayoutAndSaysWhichTowerDoesNotFit()
    {
        var (code, output, err) = CliTestHost.Run("inspect", Fixtures.Path("models", "cnn14-micro-msclap.pth"), "--no-keys");
        Assert.True(code == 0, err);
        Assert.Contains("fits: msclap CLAP:", output);
        Assert.Contains("fits: PANNs CNN14: CNN14(mels 32, channels 2-2-2-2-2-4, embedding 4, classes 3): yes", output);
        // The fixture's caption encoder is a single stub tensor: the BERT line lists what is missing.
        Assert.Contains("fits: Hugging Face BERT:", output);
        Assert.Contains("missing key(s)", output);
    }

    [Fact]
    public void InspectJsonOfABertFolder()
    {
        var (code, output, err) = CliTestHost.Run("inspect", Fixtures.Path("models", "bert-tiny-bin"), "--json", "-");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var fits = doc.RootElement.GetProperty("fits");
        Assert.Equal("Hugging Face BERT", fits[0].GetProperty("model").GetString());
        Assert.True(fits[0].GetProperty("fits").GetBoolean());
        Assert.Contains(doc.RootElement.GetProperty("tensors").EnumerateArray(), t => t.GetProperty("key").GetString() == "bert.embeddings.LayerNorm.gamma");
    }

    [Fact]
    public void InspectOfALegacyPickleNamesTheContainer()
    {
        var (code, output, err) = CliTestHost.Run("inspect", Fixtures.Path("models", "legacy-pickle.pth"));
        Assert.True(code == 0, err);
        Assert.Contains("PyTorch legacy container (pre-1.6 torch.save)", output);
        Assert.Contains("w  ", output);
    }

    [Fact]
    public void TokenizePrintsHuggingFaceIdsAsJsonLines()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllLines(dir.File("t.txt"), ["this is a sound of dog", "A Café, naïve!"]);
        var (code, output, err) = CliTestHost.Run("tokenize", "--vocab", Fixtures.Path("text", "bert-base-uncased-vocab.txt"), "--file", dir.File("t.txt"));
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("{\"ids\":[101,2023,2003,1037,2614,1997,3899,102],\"tokens\":[\"[CLS]\",\"this\",\"is\",\"a\",\"sound\",\"of\",\"dog\",\"[SEP]\"]}", lines[0]);
        Assert.Equal("{\"ids\":[101,1037,7668,1010,15743,999,102],\"tokens\":[\"[CLS]\",\"a\",\"cafe\",\",\",\"naive\",\"!\",\"[SEP]\"]}", lines[1]);
    }

    [Theory]
    [InlineData("bert-tiny-st")]
    [InlineData("bert-tiny-bin")]
    public void EmbedTextEqualsThePyTorchReference(string folder)
    {
        using var dir = Fixtures.TempDir();
        var (code, _, err) = CliTestHost.Run("embed-text", "--bert", Fixtures.Path("models", folder),
            "--file", Fixtures.Path("models", "bert-tiny-texts.txt"), "--out", dir.File("xt.npy"), "--batch-size", "3");
        Assert.True(code == 0, err);
        var got = NpyArray.Read(dir.File("xt.npy"));
        var want = NpyArray.Read(Fixtures.Path("models", "bert-tiny-xt.npy"));
        Assert.Equal(want.Shape, got.Shape);
        Assert.Equal("<f4", got.DType);
        var g = got.ToFloatArray();
        var w = want.ToFloatArray();
        double max = g.Zip(w, (a, b) => (double)Math.Abs(a - b)).Max();
        Assert.True(max < 1e-4, $"embed-text x_t max-abs error {max:E2}");
    }

    [Fact]
    public void EmbedTextOfAMissingFolderIsNotFound()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("t.txt"), "dog\n");
        var (code, _, err) = CliTestHost.Run("embed-text", "--bert", dir.File("nope"), "--file", dir.File("t.txt"), "--out", dir.File("x.npy"));
        Assert.Equal(3, code);
        Assert.Contains("nope", err);
    }
}
