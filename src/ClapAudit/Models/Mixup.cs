using ClapAudit.Common;
using MathNet.Numerics.Distributions;
using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

/// <summary>
/// PANNs mixup: consecutive pairs (0,1), (2,3)... are mixed with weights (lam, 1 - lam),
/// lam ~ Beta(alpha, alpha); a batch of 2n inputs gives n mixed outputs. The same lambdas
/// mix the targets (<see cref="Apply"/> on them).
/// </summary>
public static class Mixup
{
    /// <summary>Lambdas for an even batch: [lam0, 1-lam0, lam1, 1-lam1, ...].</summary>
    public static float[] Lambdas(int batchSize, double alpha, Random random)
    {
        Guard.Setting(batchSize > 0 && batchSize % 2 == 0, $"mixup needs an even batch size, got {batchSize}");
        Guard.Positive(alpha);
        var beta = new Beta(alpha, alpha, random);
        var l = new float[batchSize];
        for (int i = 0; i < batchSize; i += 2)
        {
            double lam = beta.Sample();
            l[i] = (float)lam;
            l[i + 1] = (float)(1 - lam);
        }
        return l;
    }

    /// <summary>x[0::2] * lam[0::2] + x[1::2] * lam[1::2] over the first axis.</summary>
    public static Tensor Apply(Tensor x, Tensor lambdas)
    {
        Guard.Match(x.shape[0] == lambdas.shape[0] && x.shape[0] % 2 == 0,
            $"mixup: {x.shape[0]} inputs and {lambdas.shape[0]} lambdas (need an equal, even count)");
        using var scope = NewDisposeScope();
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var lam = lambdas.to(x.dtype).to(x.device).reshape(shape);
        var even = x[TensorIndex.Slice(0, null, 2)] * lam[TensorIndex.Slice(0, null, 2)];
        var odd = x[TensorIndex.Slice(1, null, 2)] * lam[TensorIndex.Slice(1, null, 2)];
        return even.Plus(odd).MoveToOuterDisposeScope();
    }
}
