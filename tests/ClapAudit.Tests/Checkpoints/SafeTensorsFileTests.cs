using System.Text;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Checkpoints;

/// <summary>The safetensors reader on hand-made files: dtypes, metadata, and a broken header.</summary>
public class SafeTensorsFileTests
{
    private static void Write(string path, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)h.Length));
        f.Write(h);
        f.Write(data);
    }

    [Fact]
    public void ReadsHalfBFloatAndInt64ExactlyWithMetadata()
    {
        using var dir = Fixtures.TempDir();
        var data = new List<byte>();
        foreach (var v in new[] { 1.5f, -2.25f }) data.AddRange(BitConverter.GetBytes((Half)v));
        foreach (var v in new[] { 3.0f, -0.5f }) data.AddRange(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16)));
        data.AddRange(BitConverter.GetBytes(42L));
        Write(dir.File("a.safetensors"),
            "{\"__metadata__\":{\"format\":\"pt\"},\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[4,8]},\"i\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}",
            data.ToArray());
        Assert.Equal(CheckpointFormat.SafeTensors, CheckpointFile.Sniff(dir.File("a.safetensors")));
        using var sd = CheckpointFile.Read(dir.File("a.safetensors"));
        Assert.Equal("pt", sd.Metadata["format"]);
        Assert.Equal(ScalarType.Float16, sd["h"].dtype);
        Assert.Equal(new[] { 1.5f, -2.25f }, sd["h"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(ScalarType.BFloat16, sd["b"].dtype);
        Assert.Equal(new long[] { 1, 2 }, sd["b"].shape);
        Assert.Equal(new[] { 3.0f, -0.5f }, sd["b"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(42L, sd["i"].item<long>());
    }

    [Fact]
    public void AByteRangeThatDoesNotFitTheShapeIsInvalidData()
    {
        using var dir = Fixtures.TempDir();
        Write(dir.File("bad.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        var e = Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(dir.File("bad.safetensors")));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("tensor w", e.Message);
    }
}
