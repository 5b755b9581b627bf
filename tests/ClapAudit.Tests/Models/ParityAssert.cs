using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Models;

/// <summary>Compares a tensor with a committed .npy reference: shape, then max-abs error.</summary>
public static class ParityAssert
{
    public static double MaxAbs(Tensor actual, string npyPath)
    {
        var expected = NpyArray.Read(npyPath);
        Assert.Equal(expected.Shape.Select(d => (long)d).ToArray(), actual.shape);
        using var a = actual.detach().to(ScalarType.Float32).contiguous();
        var got = a.data<float>().ToArray();
        var want = expected.ToFloatArray();
        double max = 0;
        for (int i = 0; i < got.Length; i++) max = Math.Max(max, Math.Abs(got[i] - want[i]));
        return max;
    }

    public static Tensor Load(string npyPath)
    {
        var a = NpyArray.Read(npyPath);
        var shape = a.Shape.Select(d => (long)d).ToArray();
        return a.IsInteger ? tensor(a.ToInt64Array(npyPath), shape) : tensor(a.ToFloatArray(), shape);
    }

    /// <summary>Keys and shapes of a reference .tsv (key, AxBxC, dtype), comments skipped.</summary>
    public static List<(string Key, string Shape, string DType)> ReadKeyTable(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t')).Select(p => (p[0], p[1], p[2])).ToList();

    public static string ShapeText(Tensor t) => t.dim() == 0 ? "scalar" : string.Join("x", t.shape);

    public static string DTypeText(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Int64 => "int64",
        var d => d.ToString(),
    };
}
