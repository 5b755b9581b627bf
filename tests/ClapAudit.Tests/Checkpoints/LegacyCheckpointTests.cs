using System.Text.Json;
using ClapAudit.Checkpoints;
using ClapAudit.Checkpoints.Pickle;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Tests.Cli;
using ClapAudit.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Checkpoints;

/// <summary>
/// The legacy torch.save container and the safe unpickler, on the fixtures of
/// tools/make_legacy_fixtures.py (tests/fixtures/legacy/): each legacy file loads to exactly the
/// tensors of its zip twin (bit for bit), the model embeddings match the PyTorch references of
/// tools/make_model_fixtures.py within 1e-4 and the zip twin's exactly, forbidden globals and
/// damaged files are refused with the file named.
/// </summary>
public class LegacyCheckpointTests(ITestOutputHelper log)
{
    private static string Legacy(params string[] parts) => Fixtures.Path(["legacy", .. parts]);

    public static TheoryData<string, string> Twins => new()
    {
        { Legacy("cnn14-tiny-legacy.pth"), Fixtures.Path("models", "cnn14-tiny.pth") },
        { Legacy("panns-micro-legacy.pth"), Legacy("panns-micro.pth") },
        { Legacy("cnn14-micro-msclap-legacy.pth"), Fixtures.Path("models", "cnn14-micro-msclap.pth") },
        { Legacy("bert-tiny-bin-legacy", "pytorch_model.bin"), Fixtures.Path("models", "bert-tiny-bin", "pytorch_model.bin") },
        { Legacy("dtypes.pth"), Legacy("dtypes-zip.pth") },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void LegacyFileHoldsExactlyTheTensorsOfItsZipTwin(string legacy, string zip)
    {
        Assert.Equal(CheckpointFormat.TorchLegacy, CheckpointFile.Sniff(legacy));
        Assert.Equal(CheckpointFormat.TorchZip, CheckpointFile.Sniff(zip));
        using var a = CheckpointFile.Read(legacy);
        using var b = CheckpointFile.Read(zip);
        Assert.Equal(b.Keys, a.Keys);
        foreach (var key in b.Keys)
        {
            Assert.Equal(b[key].dtype, a[key].dtype);
            Assert.Equal(b[key].shape, a[key].shape);
            Assert.True(Same(a[key], b[key]), $"{legacy}: tensor {key} differs from the zip twin's");
        }
        Assert.Equal(b.Metadata.Keys.Order(), a.Metadata.Keys.Order());
        Assert.Equal(b.Metadata.GetValueOrDefault("iteration"), a.Metadata.GetValueOrDefault("iteration"));
        log.WriteLine($"{Path.GetFileName(legacy)}: {a.Count} tensors equal to the zip twin's");
    }

    [Theory]
    [InlineData("dtypes.pth")]
    [InlineData("dtypes-zip.pth")]
    public void EveryDTypeViewAndStrideMatchesTorchsValues(string name)
    {
        using var file = CheckpointFile.Read(Legacy(name));
        using var doc = JsonDocument.Parse(File.ReadAllText(Legacy("dtypes.json")));
        int checkedTensors = 0;
        foreach (var e in doc.RootElement.EnumerateObject())
        {
            var t = file[e.Name];
            Assert.Equal(e.Value.GetProperty("dtype").GetString(), CheckpointInspector.DTypeName(t.dtype));
            Assert.Equal(e.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()), t.shape);
            Assert.Equal(e.Value.GetProperty("stride").EnumerateArray().Select(x => x.GetInt64()), t.stride());
            Assert.Equal(e.Value.GetProperty("offset").GetInt64(), t.storage_offset());
            var values = e.Value.GetProperty("values").EnumerateArray().ToList();
            using var flat = t.contiguous().flatten();
            Assert.Equal(values.Count, (int)flat.numel());
            switch (t.dtype)
            {
                case ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool:
                    using (var l = flat.to(ScalarType.Int64)) Assert.Equal(values.Select(v => v.GetInt64()), l.data<long>().ToArray());
                    break;
                default:
                    // Exact: float16/bfloat16/float32 widen to float64 without rounding, as Python's float() does.
                    using (var d = flat.to(ScalarType.Float64)) Assert.Equal(values.Select(v => v.GetDouble()), d.data<double>().ToArray());
                    break;
            }
            checkedTensors++;
        }
        Assert.Equal(18, checkedTensors);
    }

    [Fact]
    public void ViewsOfOneStorageShareMemoryAsInPyTorch()
    {
        using var file = CheckpointFile.Read(Legacy("dtypes.pth"));
        float before = file["shared.slice"][0].item<float>();
        float transposed = file["shared.transposed"][1, 0].item<float>(); // base[1]
        using (var one = ones_like(file["shared.base"])) file["shared.base"].add_(one);
        Assert.Equal(before + 1, file["shared.slice"][0].item<float>());
        Assert.Equal(transposed + 1, file["shared.transposed"][1, 0].item<float>());
        Assert.False(file["shared.transposed"].is_contiguous());
    }

    [Fact]
    public void LegacyPannsCheckpointEmbedsAsPyTorchAndAsItsZipTwin()
    {
        using var legacy = Cnn14Checkpoint.Load(Legacy("cnn14-tiny-legacy.pth"));
        using var zip = Cnn14Checkpoint.Load(Fixtures.Path("models", "cnn14-tiny.pth"));
        Assert.True(legacy.Report.IsExact);
        Assert.Equal("0", legacy.Metadata["iteration"]);
        Assert.StartsWith("(not read: dict of 4 entries", legacy.Metadata["sampler"]);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = ParityAssert.Load(Fixtures.Path("models", "cnn14-tiny-logmel.npy"));
        var ea = legacy.Model.EmbedAudio(x);
        double err = ParityAssert.MaxAbs(ea, Fixtures.Path("models", "cnn14-tiny-xa.npy"));
        log.WriteLine($"legacy CNN14 tiny x_a max-abs vs PyTorch {err:E2}");
        Assert.True(err < 1e-4, $"x_a max-abs error {err:E2}");
        Assert.True(Same(ea, zip.Model.EmbedAudio(x)), "legacy and zip CNN14 embed differently");
    }

    [Fact]
    public void LegacyMsclapCheckpointGivesTheZipTwinsCnn14()
    {
        using var legacy = Cnn14Checkpoint.Load(Legacy("cnn14-micro-msclap-legacy.pth"));
        using var zip = Cnn14Checkpoint.Load(Fixtures.Path("models", "cnn14-micro-msclap.pth"));
        Assert.Contains("[\"model\"]", legacy.Source);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(5);
        var x = randn(2, 1, 40, 32);
        Assert.True(Same(legacy.Model.EmbedAudio(x), zip.Model.EmbedAudio(x)));
    }

    [Fact]
    public void LegacyBertFolderEmbedsAsPyTorchAndAsItsZipTwin()
    {
        using var legacy = HuggingFaceBert.Load(Legacy("bert-tiny-bin-legacy"));
        using var zip = HuggingFaceBert.Load(Fixtures.Path("models", "bert-tiny-bin"));
        Assert.True(legacy.Report.IsExact, legacy.Report.Describe("legacy", "bert"));
        var texts = File.ReadAllLines(Fixtures.Path("models", "bert-tiny-texts.txt"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ids, mask) = legacy.Tokenizer.EncodeBatch(texts).ToTensors();
        var xt = legacy.Model.EmbedText(ids, mask);
        double err = ParityAssert.MaxAbs(xt, Fixtures.Path("models", "bert-tiny-xt.npy"));
        log.WriteLine($"legacy BERT tiny x_t max-abs vs PyTorch {err:E2}");
        Assert.True(err < 1e-4, $"x_t max-abs error {err:E2}");
        Assert.True(Same(xt, zip.Model.EmbedText(ids, mask)), "legacy and zip BERT embed differently");
    }

    [Fact]
    public void SamplerNumpyRandomStateIsReadAsInertData()
    {
        using var container = TorchLegacyContainer.Open(Legacy("panns-micro-legacy.pth"));
        var root = Assert.IsType<PickleDict>(container.Root);
        Assert.True(root.TryGetValue("sampler", out var s));
        Assert.True(Assert.IsType<PickleDict>(s).TryGetValue("random_state", out var rs));
        var state = Assert.IsType<PickleTuple>(rs);
        Assert.Equal("MT19937", state[0]);
        var key = Assert.IsType<NumpyArray>(state[1]);
        Assert.Equal(new long[] { 624 }, key.Shape);
        Assert.Equal("u4", key.DType!.Code);
        // numpy.random.RandomState(0).get_state()[1][:3]: MT19937's init_genrand(0).
        Assert.Equal(new uint[] { 0, 1, 1812433255 }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(key.Data)[..3].ToArray());
        Assert.Equal(624L, state[2]);
        Assert.Equal(0.0, state[4]);
        ((PickleDict)s!).TryGetValue("pointers_of_classes", out var pointers);
        Assert.Equal(new object?[] { 0L, 0L, 0L }, Assert.IsType<List<object?>>(pointers));
    }

    [Theory]
    [InlineData("forbidden-legacy.pth")]
    [InlineData("forbidden.pth")]
    public void AForbiddenGlobalIsRefusedByNameAndFile(string name)
    {
        var e = Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(Legacy(name)));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("'posix.system'", e.Message);
        Assert.Contains(Legacy(name), e.Message);
        Assert.Throws<ClapAuditException>(() => PickleAllowList.Resolve("builtins", "eval", "x.pth"));
        Assert.DoesNotContain(PickleAllowList.Names, n => n.StartsWith("os.", StringComparison.Ordinal) || n.Contains("eval"));
    }

    [Theory]
    [InlineData(10)]        // inside the magic number's pickle
    [InlineData(200)]       // inside the object pickle
    [InlineData(-100)]      // inside the last storage's bytes
    [InlineData(-1)]        // one byte short
    public void ATruncatedLegacyFileIsRefusedNamingItAndNothingElseIsAffected(int cut)
    {
        using var dir = Fixtures.TempDir();
        var bytes = File.ReadAllBytes(Legacy("panns-micro-legacy.pth"));
        string path = dir.File("cut.pth");
        File.WriteAllBytes(path, bytes[..(cut > 0 ? cut : bytes.Length + cut)]);
        var e = Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
        // The file is left as it was and the intact one still reads.
        Assert.Equal(cut > 0 ? cut : bytes.Length + cut, new FileInfo(path).Length);
        using var ok = CheckpointFile.Read(Legacy("panns-micro-legacy.pth"));
        Assert.Equal(81, ok.Count);
    }

    [Fact]
    public void CorruptedLegacyFilesAreRefusedNamingTheProblem()
    {
        using var dir = Fixtures.TempDir();
        var bytes = File.ReadAllBytes(Legacy("dtypes.pth"));

        string magic = dir.File("magic.pth");
        var m = bytes.ToArray();
        m[13] ^= 0xff; // last byte of the magic number: no longer torch's, and no longer sniffed as legacy
        File.WriteAllBytes(magic, m);
        Assert.Equal(CheckpointFormat.Unknown, CheckpointFile.Sniff(magic));
        Assert.Contains(magic, Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(magic)).Message);

        // The storage section's first element count, one more than the pickle says.
        string count = dir.File("count.pth");
        int keyList = LastPickleEnd(bytes);
        var k = bytes.ToArray();
        k[keyList] ^= 0x01;
        File.WriteAllBytes(count, k);
        var e = Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(count));
        Assert.Contains(count, e.Message);
        Assert.Contains("corrupted", e.Message);

        string big = dir.File("big-endian.pth");
        var b = bytes.ToArray();
        // The key, its memo opcode (BINPUT n), then the value NEWTRUE.
        int le = IndexOf(b, "little_endian"u8.ToArray()) + "little_endian".Length;
        le += Array.IndexOf(b, (byte)0x88, le, 4) - le;
        Assert.Equal(0x88, b[le]); // NEWTRUE
        b[le] = 0x89; // NEWFALSE
        File.WriteAllBytes(big, b);
        e = Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(big));
        Assert.Contains("big-endian", e.Message);
        Assert.Contains(big, e.Message);

        string tar = dir.File("tar.pth");
        var t = new byte[1024];
        "storages"u8.CopyTo(t);
        "ustar"u8.CopyTo(t.AsSpan(257));
        File.WriteAllBytes(tar, t);
        Assert.Equal(CheckpointFormat.TorchTar, CheckpointFile.Sniff(tar));
        e = Assert.Throws<ClapAuditException>(() => CheckpointFile.Read(tar));
        Assert.Contains("tar container", e.Message);
        Assert.Contains(tar, e.Message);
    }

    [Fact]
    public void ConvertWritesSafetensorsWithMappedKeysAndMetadata()
    {
        using var dir = Fixtures.TempDir();
        string cnn = dir.File("cnn14.safetensors");
        var r = CheckpointConverter.Convert(Legacy("cnn14-micro-msclap-legacy.pth"), cnn, ConvertTarget.Cnn14);
        using (var source = CheckpointFile.Read(Legacy("cnn14-micro-msclap-legacy.pth")))
        using (var written = CheckpointFile.Read(cnn))
        {
            Assert.Equal(CheckpointFormat.SafeTensors, CheckpointFile.Sniff(cnn));
            var expected = source.WithPrefixRemoved(Cnn14Checkpoint.MsclapPrefix);
            Assert.Equal(expected.Keys.Order(), written.Keys.Order());
            foreach (var (key, t) in expected) Assert.True(Same(written[key], t), key);
            Assert.Equal("PyTorch legacy container (pre-1.6 torch.save)", written.Metadata["clapaudit.source_format"]);
            Assert.Equal(r.TensorCount, written.Count);
        }
        using (var a = Cnn14Checkpoint.Load(cnn))
        using (var b = Cnn14Checkpoint.Load(Legacy("cnn14-micro-msclap-legacy.pth")))
        using (var _ = no_grad())
        using (var scope = NewDisposeScope())
        {
            var x = randn(1, 1, 40, 32);
            Assert.True(Same(a.Model.EmbedAudio(x), b.Model.EmbedAudio(x)));
        }

        string bert = dir.File("bert.safetensors");
        CheckpointConverter.Convert(Legacy("bert-tiny-bin-legacy"), bert, ConvertTarget.Bert);
        using (var written = CheckpointFile.Read(bert))
        using (var plain = CheckpointFile.Read(Fixtures.Path("models", "bert-tiny-st", "model.safetensors")))
        {
            Assert.Equal(plain.Keys.Order(), written.Keys.Order());
            foreach (var key in plain.Keys) Assert.True(Same(written[key], plain[key]), key);
        }

        string panns = dir.File("panns.safetensors");
        CheckpointConverter.Convert(Legacy("panns-micro-legacy.pth"), panns, ConvertTarget.AsIs);
        using (var written = CheckpointFile.Read(panns)) Assert.Equal("12000", written.Metadata["iteration"]);

        // Every dtype, views and non-contiguous strides survive the round trip.
        string all = dir.File("dtypes.safetensors");
        CheckpointConverter.Convert(Legacy("dtypes.pth"), all, ConvertTarget.AsIs);
        using (var written = CheckpointFile.Read(all))
        using (var source = CheckpointFile.Read(Legacy("dtypes.pth")))
            foreach (var key in source.Keys)
                Assert.True(Same(written[key], source[key]), key);
    }

    [Fact]
    public void ConvertAndInspectFromTheCommandLine()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("clap.safetensors");
        var (code, stdout, err) = CliTestHost.Run("convert", Legacy("cnn14-micro-msclap-legacy.pth"), output, "--model", "clap");
        Assert.True(code == 0, err);
        Assert.Contains("PyTorch legacy container", stdout);
        (code, stdout, err) = CliTestHost.Run("inspect", output, "--no-keys");
        Assert.True(code == 0, err);
        Assert.Contains(": safetensors (", stdout);
        Assert.Contains("fits: msclap CLAP:", stdout);
        (code, stdout, err) = CliTestHost.Run("inspect", Legacy("panns-micro-legacy.pth"), "--no-keys");
        Assert.True(code == 0, err);
        Assert.Contains("PyTorch legacy container (pre-1.6 torch.save)", stdout);
        Assert.Contains("metadata: iteration = 12000", stdout);
        (code, _, err) = CliTestHost.Run("convert", Legacy("forbidden-legacy.pth"), dir.File("no.safetensors"));
        Assert.Equal(4, code);
        Assert.Contains("posix.system", err);
        Assert.False(File.Exists(dir.File("no.safetensors")));
    }

    /// <summary>The offset of the storage section: just past the fifth pickle's STOP (the key list).</summary>
    private static int LastPickleEnd(byte[] bytes)
    {
        using var s = new MemoryStream(bytes);
        var loader = TorchPersistentIds.Loader("x", []);
        for (int i = 0; i < 5; i++) SafeUnpickler.Load(s, "x", loader);
        return (int)s.Position;
    }

    /// <summary>Same dtype, shape and values (torch.equal), bit for bit for these finite values.</summary>
    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.Equals(b);

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
