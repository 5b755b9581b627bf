using ClapAudit.Synthetic;

namespace ClapAudit.Tests.Synthetic;

/// <summary>One Quick world (seed 0) generated once and shared by the synthetic-world tests.</summary>
public sealed class QuickWorldFixture : IDisposable
{
    private readonly TempDir _dir = Fixtures.TempDir();

    public QuickWorldFixture()
    {
        Options = SyntheticWorldOptions.Quick;
        Layout = SyntheticWorld.Generate(Options, System.IO.Path.Combine(_dir.Path, "world"));
    }

    public SyntheticWorldOptions Options { get; }
    public SyntheticWorldLayout Layout { get; }
    public string Scratch => _dir.Path;

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class QuickWorldCollection : ICollectionFixture<QuickWorldFixture>
{
    public const string Name = "Synthetic quick world";
}
