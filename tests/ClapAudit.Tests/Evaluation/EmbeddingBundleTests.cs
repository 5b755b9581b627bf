using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Tests.Analysis;

namespace ClapAudit.Tests.Evaluation;

public class EmbeddingBundleTests
{
    [Fact]
    public void LoadsEveryFileOfTheClustersBundle()
    {
        var b = AnalysisFixtures.Load("clusters");
        Assert.Equal((300, 32), (b.Audio!.Rows, b.Audio.Columns));
        Assert.Equal((300, 48), (b.AudioBackbone!.Rows, b.AudioBackbone.Columns));
        Assert.Equal((10, 32), (b.Text!.Rows, b.Text.Columns));
        Assert.Equal((10, 24), (b.TextBackbone!.Rows, b.TextBackbone.Columns));
        Assert.Equal(10, b.ClassCount);
        Assert.Equal("sea waves", b.ClassNames[3]);
        Assert.Equal(30, b.Labels.Count(l => l == 9));
    }

    [Fact]
    public void OptionalFilesMayBeMissingAndInt32LabelsAndFloat32ArraysAreRead()
    {
        var b = AnalysisFixtures.Load("empty_class");
        Assert.Null(b.AudioBackbone);
        Assert.Null(b.TextBackbone);
        Assert.Equal(225, b.ItemCount);
        Assert.DoesNotContain(7, b.Labels);
    }

    [Theory]
    [InlineData("bad_nan", ErrorKind.NonFinite, "audio.npy: NaN at row 17")]
    [InlineData("bad_inf_text", ErrorKind.NonFinite, "text.npy: Inf at row 1")]
    [InlineData("bad_label_range", ErrorKind.InvalidData, "labels.npy: label 3 at index 5 is outside classes.txt")]
    [InlineData("bad_length", ErrorKind.Mismatch, "labels.npy: 19 labels, but")]
    [InlineData("bad_dim", ErrorKind.Mismatch, "text.npy: dimension 5 differs from")]
    [InlineData("bad_truncated", ErrorKind.InvalidData, "audio.npy: truncated data")]
    [InlineData("bad_label_dtype", ErrorKind.InvalidData, "labels.npy: dtype <f8, expected integer")]
    [InlineData("bad_shape", ErrorKind.InvalidData, "audio.npy: shape (80,), expected 2 dimensions")]
    [InlineData("bad_missing_audio", ErrorKind.NotFound, "audio.npy: file not found")]
    [InlineData("bad_text_rows", ErrorKind.Mismatch, "text.npy: 2 rows, but")]
    public void BadInputIsRejectedWithTheFileAndTheProblem(string name, ErrorKind kind, string message)
    {
        var e = Assert.Throws<ClapAuditException>(() => AnalysisFixtures.Load(name));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(message, e.Message);
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void WriterRoundTripsAsFloat32()
    {
        var b = AnalysisFixtures.Load("clusters");
        using var dir = Fixtures.TempDir();
        EmbeddingBundleWriter.Write(dir.Path, b.Audio, b.Text, b.Labels, b.ClassNames, b.AudioBackbone, b.TextBackbone);
        var back = EmbeddingBundle.Load(dir.Path);
        Assert.Equal(b.Labels, back.Labels);
        Assert.Equal(b.ClassNames, back.ClassNames);
        for (int i = 0; i < b.Audio!.Values.Length; i++) Assert.Equal((float)b.Audio.Values[i], back.Audio!.Values[i]);
        Assert.Equal(b.TextBackbone!.Values.Select(v => (double)(float)v), back.TextBackbone!.Values);
    }

    [Fact]
    public void WriterRefusesABundleThatWouldNotLoad()
    {
        var audio = new EmbeddingMatrix([1, 2, 3, 4], 2, 2);
        var text = new EmbeddingMatrix([1, 2, 3], 1, 3);
        using var dir = Fixtures.TempDir();
        var e = Assert.Throws<ClapAuditException>(() => EmbeddingBundleWriter.Write(dir.Path, audio, text, [0, 0], ["a"]));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.False(File.Exists(dir.File("audio.npy")));
    }
}
