using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Training.Optimizers;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (same options, state, state_dict and checkpoint format) whose <c>step</c>
/// passes only Scalars held until libtorch returns; see <see cref="ScalarSafeAdam"/> for why. The arithmetic
/// is TorchSharp's, operation for operation (decoupled weight decay first), so parameters are bit-identical.
/// </summary>
public sealed class ScalarSafeAdamW : AdamW
{
    public ScalarSafeAdamW(IEnumerable<Parameter> parameters, double lr = 0.001, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value;
        bool maximize = o.maximize!.Value;
        var moments = new AdamMoments(o.beta1!.Value, o.beta2!.Value, o.eps!.Value, lr, o.amsgrad!.Value);
        using var beta1 = moments.Beta1.ToScalar();
        using var beta2 = moments.Beta2.ToScalar();
        using var oneMinusBeta1 = (1.0 - moments.Beta1).ToScalar();
        using var oneMinusBeta2 = (1.0 - moments.Beta2).ToScalar();
        using var eps = moments.Eps.ToScalar();
        var held = new AdamMoments.Held(beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps);
        using var decay = (1.0 - lr * o.weight_decay!.Value).ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step++;
            parameter.mul_(decay); // decoupled weight decay, before the moments
            moments.Apply(held, parameter, grad, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, state.step);
        }
    }, closure);
}
