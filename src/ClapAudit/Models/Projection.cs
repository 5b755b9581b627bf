using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

/// <summary>
/// msclap's projector: linear1 (no bias) -> GELU (exact, erf) -> linear2 (no bias) -> dropout,
/// added to linear1's output, then LayerNorm (eps 1e-5). Field names are msclap's state-dict keys
/// (<c>linear1.weight</c>, <c>linear2.weight</c>, <c>layer_norm.weight</c>, <c>layer_norm.bias</c>).
/// Dropout is computed as PyTorch's is (Bernoulli(1-p) mask divided by 1-p, times the input) but
/// draws from <see cref="DropoutGenerator"/> when one is set: torch's default generator is
/// process-wide, so any other thread drawing from it would make training depend on timing.
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>, ISeededDropout
{
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly LayerNorm layer_norm;
    private readonly double _dropout;

    public int InputSize { get; }
    public int OutputSize { get; }

    /// <summary>The generator dropout draws from (null: torch's default generator).</summary>
    public Generator? DropoutGenerator { get; set; }

    public Projection(int inputSize, int outputSize, double dropout = 0.5) : base(nameof(Projection))
    {
        Common.Guard.Positive(inputSize);
        Common.Guard.Positive(outputSize);
        Common.Guard.InRange(dropout, 0, 1);
        InputSize = inputSize;
        OutputSize = outputSize;
        linear1 = nn.Linear(inputSize, outputSize, hasBias: false);
        linear2 = nn.Linear(outputSize, outputSize, hasBias: false);
        layer_norm = nn.LayerNorm(outputSize, eps: 1e-5);
        _dropout = dropout;
        RegisterComponents();
    }

    /// <summary>
    /// Draws both weights again from <paramref name="generator"/>, from the distribution nn.Linear's own
    /// initialisation uses (kaiming_uniform_ with a = sqrt(5): U(-1/sqrt(fan_in), 1/sqrt(fan_in))), so that
    /// the initial head is a function of the seed even while something else draws from torch's generator.
    /// </summary>
    public void ResetParameters(Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var w in new[] { linear1.weight!, linear2.weight! })
        {
            double bound = 1 / Math.Sqrt(w.shape[1]);
            w.uniform_(-bound, bound, generator);
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var embed1 = linear1.call(x);
        var embed2 = linear2.call(nn.functional.gelu(embed1));
        if (training && _dropout > 0)
        {
            var noise = empty_like(embed2).bernoulli_(1 - _dropout, generator: DropoutGenerator);
            using var keep = (1 - _dropout).ToScalar();
            noise.div_(keep);
            embed2 = embed2 * noise;
        }
        return layer_norm.call(embed1.Plus(embed2)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            linear1.Dispose();
            linear2.Dispose();
            layer_norm.Dispose();
        }
        base.Dispose(disposing);
    }
}
