using ClapAudit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Training.Optimizers;

/// <summary>
/// TorchSharp's <see cref="Adam"/> (same options, state, state_dict and checkpoint format) whose <c>step</c>
/// passes only Scalars held until libtorch returns. TorchSharp 0.107's own step converts betas, eps and the
/// step size to Scalars implicitly for every parameter, which the finalizer may free mid-call
/// (see <see cref="SafeScalars"/>). The arithmetic is TorchSharp's, operation for operation, so the
/// parameters are bit-identical to <c>torch.optim.Adam</c>'s.
/// </summary>
public sealed class ScalarSafeAdam : Adam
{
    public ScalarSafeAdam(IEnumerable<Parameter> parameters, double lr = 0.001, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, weightDecay = o.weight_decay!.Value;
        double eps = o.eps!.Value, lr = o.LearningRate!.Value;
        bool amsgrad = o.amsgrad!.Value, maximize = o.maximize!.Value;
        using var beta1S = beta1.ToScalar();
        using var beta2S = beta2.ToScalar();
        using var oneMinusBeta1 = (1.0 - beta1).ToScalar();
        using var oneMinusBeta2 = (1.0 - beta2).ToScalar();
        using var weightDecayS = weightDecay.ToScalar();
        using var epsS = eps.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step++;
            double biasCorrection1 = 1.0 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1.0 - Math.Pow(beta2, state.step);
            if (weightDecay != 0.0) grad = grad.add(parameter, weightDecayS);
            state.exp_avg.mul_(beta1S).add_(grad, oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2S).addcmul_(grad, grad.conj(), oneMinusBeta2);
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
            }
            using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            var denom = (amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq).sqrt().div(sqrtBiasCorrection2).add_(epsS, SafeScalars.One);
            using var negativeStepSize = (0.0 - lr / biasCorrection1).ToScalar();
            parameter.addcdiv_(state.exp_avg, denom, negativeStepSize);
        }
    }, closure);
}
