using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>
/// msclap's projector: linear1 (no bias) -> GELU (exact, erf) -> linear2 (no bias) -> dropout,
/// added to linear1's output, then LayerNorm (eps 1e-5). Field names are msclap's state-dict keys
/// (<c>linear1.weight</c>, <c>linear2.weight</c>, <c>layer_norm.weight</c>, <c>layer_norm.bias</c>).
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly LayerNorm layer_norm;
    private readonly Dropout drop;

    public int InputSize { get; }
    public int OutputSize { get; }

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
        drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var embed1 = linear1.call(x);
        var embed2 = drop.call(linear2.call(nn.functional.gelu(embed1)));
        return layer_norm.call(embed1 + embed2).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            linear1.Dispose();
            linear2.Dispose();
            layer_norm.Dispose();
            drop.Dispose();
        }
        base.Dispose(disposing);
    }
}
