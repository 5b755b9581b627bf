using ClapAudit.Common;
using ClapAudit.Data;

namespace ClapAudit.Tests.Data;

public class PairManifestTests
{
    [Fact]
    public void RoundTripsAwkwardTextAndWritesOnePlainUtf8ObjectALine()
    {
        using var tmp = Fixtures.TempDir();
        var pairs = new List<AudioTextPair>
        {
            new("clotho", "/data/clotho/development/cafe scene.wav", "People talk in a café, \"glasses\" clink", "cafe scene.wav#1"),
            new("macs", "/data/macs/audio/a.wav", "line\nbreak\tand \\ backslash", "a.wav#2"),
        };
        PairManifest.Write(tmp.File("train.jsonl"), pairs);
        var lines = File.ReadAllLines(tmp.File("train.jsonl"));
        Assert.Equal(2, lines.Length);
        Assert.Equal("{\"dataset\":\"clotho\",\"audio\":\"/data/clotho/development/cafe scene.wav\",\"caption\":\"People talk in a café, \\\"glasses\\\" clink\",\"id\":\"cafe scene.wav#1\"}", lines[0]);
        Assert.Equal(pairs, PairManifest.Read(tmp.Path, "train"));
        Assert.False(File.Exists(tmp.File("train.jsonl.tmp")));
    }

    [Fact]
    public void ABadLineNamesFileAndLine()
    {
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("val.jsonl"), "{\"dataset\":\"a\",\"audio\":\"b\",\"caption\":\"c\",\"id\":\"d\"}\n\n{\"dataset\":\"a\",\"audio\":\"b\"}\n");
        var e = Assert.Throws<ClapAuditException>(() => PairManifest.Read(tmp.Path, "val"));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.StartsWith($"{tmp.File("val.jsonl")}:3: missing string field 'caption'", e.Message);
    }
}
