using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>A module whose dropout can draw from a generator of its own instead of torch's process-wide one.</summary>
public interface ISeededDropout
{
    /// <summary>The generator dropout draws from (null: torch's default generator, as nn.Dropout).</summary>
    Generator? DropoutGenerator { get; set; }
}

/// <summary>
/// Dropout as PyTorch computes it (a Bernoulli(1-p) mask divided by 1-p, times the input) that draws from
/// <see cref="DropoutGenerator"/> when one is set, and is torch's own dropout otherwise. Torch's default
/// generator is process-wide: with it, whatever else the process draws meanwhile (another thread, another
/// training) changes the masks, so a training step is no longer a function of its seed. No parameters or
/// buffers: a field of this type in place of <c>nn.Dropout</c> leaves the state dict as it was.
/// </summary>
public sealed class SeededDropout : nn.Module<Tensor, Tensor>, ISeededDropout
{
    private readonly double _p;

    public SeededDropout(double p) : base(nameof(SeededDropout))
    {
        Common.Guard.InRange(p, 0, 1);
        _p = p;
        RegisterComponents();
    }

    public Generator? DropoutGenerator { get; set; }

    public override Tensor forward(Tensor x) => Apply(x, _p, training, DropoutGenerator);

    /// <summary>Dropout of <paramref name="x"/> with probability <paramref name="p"/>; new tensors in the caller's dispose scope.</summary>
    public static Tensor Apply(Tensor x, double p, bool training, Generator? generator)
    {
        if (generator is null || !training || p == 0) return nn.functional.dropout(x, p, training);
        if (p >= 1) return zeros_like(x);
        var mask = empty_like(x).bernoulli_(1 - p, generator: generator);
        using var keep = (1 - p).ToScalar();
        mask.div_(keep);
        return x * mask;
    }
}
