using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Training.Optimizers;

/// <summary>
/// The Adam moment update and parameter step that <see cref="ScalarSafeAdam"/> and <see cref="ScalarSafeAdamW"/>
/// share (they differ only in where weight decay enters), with every Scalar held until libtorch returns.
/// Operation for operation as TorchSharp's Adam/AdamW step, so parameters stay bit-identical.
/// </summary>
internal sealed class AdamMoments(double beta1, double beta2, double eps, double lr, bool amsgrad)
{
    /// <summary>The betas and eps as Scalars, made and disposed by the caller's step (ScalarSafetyTests: a
    /// ToScalar() is disposed in the method that makes it).</summary>
    public readonly record struct Held(Scalar Beta1, Scalar Beta2, Scalar OneMinusBeta1, Scalar OneMinusBeta2, Scalar Eps);

    public double Beta1 => beta1;
    public double Beta2 => beta2;
    public double Eps => eps;

    /// <summary>One step of one parameter; <paramref name="step"/> is the state's step after incrementing.</summary>
    public void Apply(Held s, Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, ref Tensor? maxExpAvgSq, long step)
    {
        double biasCorrection1 = 1.0 - Math.Pow(beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(beta2, step);
        expAvg.mul_(s.Beta1).add_(grad, s.OneMinusBeta1);
        expAvgSq.mul_(s.Beta2).addcmul_(grad, grad, s.OneMinusBeta2);
        if (amsgrad)
        {
            var previous = maxExpAvgSq!;
            maxExpAvgSq = maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
        }
        using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        var denom = (amsgrad ? maxExpAvgSq! : expAvgSq).sqrt().div(sqrtBiasCorrection2).add_(s.Eps, SafeScalars.One);
        using var negativeStepSize = (0.0 - lr / biasCorrection1).ToScalar();
        parameter.addcdiv_(expAvg, denom, negativeStepSize);
    }
}
