namespace ClapAudit.Tests;

/// <summary>
/// Tests that assert bit-for-bit reproducibility of code drawing from torch's process-wide generator
/// (SpecAugment, mixup, dropout). xunit runs a collection with parallelisation disabled on its own,
/// after the parallel ones, so no other test moves that generator meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalRngCollection
{
    public const string Name = "torch global RNG";
}
