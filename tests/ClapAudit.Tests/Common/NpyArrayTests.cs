using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Tests.Common;

/// <summary>The .npy reader against files NumPy wrote (tools/make_npy_fixtures.py).</summary>
public class NpyArrayTests
{
    private static readonly double[] Expected = LoadExpected();

    private static double[] LoadExpected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("npy", "expected.json")));
        return doc.RootElement.GetProperty("matrix").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray();
    }

    [Theory]
    [InlineData("f4_c.npy", "<f4")]
    [InlineData("f8_c.npy", "<f8")]
    [InlineData("f2_c.npy", "<f2")]
    [InlineData("f4_big.npy", ">f4")]
    [InlineData("f8_fortran.npy", "<f8")]
    [InlineData("f4_v2.npy", "<f4")]
    [InlineData("f4_v3.npy", "<f4")]
    public void ReadsEveryFloatLayoutNumPyWrites(string file, string dtype)
    {
        var a = NpyArray.Read(Fixtures.Path("npy", file));
        Assert.Equal(new[] { 3, 4 }, a.Shape);
        Assert.Equal(dtype, a.DType);
        Assert.Equal(Expected, a.ToDoubleArray()); // every value is exact in float16 too
    }

    [Theory]
    [InlineData("i4_labels.npy")]
    [InlineData("i8_labels.npy")]
    [InlineData("i8_big_labels.npy")]
    [InlineData("u1_labels.npy")]
    public void ReadsIntegerLabels(string file)
    {
        var a = NpyArray.Read(Fixtures.Path("npy", file));
        Assert.True(a.IsInteger);
        Assert.Equal(new long[] { 0, 2, 1, 2, 0 }, a.ToInt64Array(file));
    }

    [Fact]
    public void TruncatedDataNamesTheFileAndTheShortfall()
    {
        string path = Fixtures.Path("npy", "truncated.npy");
        var e = Assert.Throws<ClapAuditException>(() => NpyArray.Read(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("truncated.npy", e.Message);
        Assert.Contains("truncated data", e.Message);
    }

    [Fact]
    public void NotANpyFileAndMissingFileAreClearErrors()
    {
        var bad = Assert.Throws<ClapAuditException>(() => NpyArray.Read(Fixtures.Path("npy", "not_npy.npy")));
        Assert.Contains("not a NumPy .npy file", bad.Message);
        var missing = Assert.Throws<ClapAuditException>(() => NpyArray.Read(Fixtures.Path("npy", "absent.npy")));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public void WrittenFilesReadBackAndHaveNumPysAlignedHeader()
    {
        using var dir = Fixtures.TempDir();
        var values = Expected.Select(v => (float)v).ToArray();
        NpyArray.WriteFloat32(dir.File("a.npy"), values, 3, 4);
        NpyArray.WriteInt64(dir.File("l.npy"), new long[] { 4, 5 }, 2);
        var a = NpyArray.Read(dir.File("a.npy"));
        Assert.Equal(Expected, a.ToDoubleArray());
        Assert.Equal(new long[] { 4, 5 }, NpyArray.Read(dir.File("l.npy")).ToInt64Array("l"));
        // NumPy aligns the data start to 64 bytes.
        long headerEnd = new FileInfo(dir.File("a.npy")).Length - values.Length * 4;
        Assert.Equal(0, headerEnd % 64);
    }
}
