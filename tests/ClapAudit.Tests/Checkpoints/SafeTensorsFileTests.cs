using System.Text;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using static TorchSharp.torch;
using ClapAudit.Interop;

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

    [Fact]
    public void AMappedTensorChangedInPlaceLeavesTheFileAsItWas()
    {
        using var dir = Fixtures.TempDir();
        string path = dir.File("w.safetensors");
        using (var w = arange(12, ScalarType.Float32).reshape(3, 4))
        using (var n = tensor(new long[] { 7 }))
            SafeTensorsWriter.Write(path, [new("w", w), new("n", n)]);
        var before = File.ReadAllBytes(path);
        using (var sd = CheckpointFile.Read(path))
        {
            Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), sd["w"].data<float>().ToArray());
            sd["w"].mul_(SafeScalars.Two); // copy-on-write: the process's pages change, the file does not
            Assert.Equal(22f, sd["w"][2, 3].item<float>());
            Assert.Equal(7L, sd["n"].item<long>());
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        using var again = CheckpointFile.Read(path);
        Assert.Equal(11f, again["w"][2, 3].item<float>());
    }

    [Fact]
    public void ATensorAtAnOffsetThatIsNotAMultipleOfItsWidthAndBoolsAreReadExactly()
    {
        using var dir = Fixtures.TempDir();
        // A header of 8 + 120 bytes, then U8 [3] at [0, 3), F32 [2] at [3, 11) (misaligned for a float view of the
        // mapping), BOOL [3] at [11, 14) holding 0, 1, 2 (2 is not a valid bool byte: it reads as true).
        string header = "{\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}," +
                        "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]}," +
                        "\"b\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[11,14]}}";
        header = header.PadRight(120);
        var data = new List<byte> { 9, 8, 7 };
        data.AddRange(BitConverter.GetBytes(1.25f));
        data.AddRange(BitConverter.GetBytes(-3.5f));
        data.AddRange(new byte[] { 0, 1, 2 });
        Write(dir.File("m.safetensors"), header, data.ToArray());
        using var sd = CheckpointFile.Read(dir.File("m.safetensors"));
        Assert.Equal(new byte[] { 9, 8, 7 }, sd["u"].data<byte>().ToArray());
        Assert.Equal(new[] { 1.25f, -3.5f }, sd["f"].data<float>().ToArray());
        Assert.Equal(ScalarType.Bool, sd["b"].dtype);
        Assert.Equal(new[] { false, true, true }, sd["b"].data<bool>().ToArray());
    }
}
