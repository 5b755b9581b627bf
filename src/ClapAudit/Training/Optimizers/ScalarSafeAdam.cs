using ClapAudit.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

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
        double weightDecay = o.weight_decay!.Value;
        bool maximize = o.maximize!.Value;
        var moments = new AdamMoments(o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.LearningRate!.Value, o.amsgrad!.Value);
        using var beta1 = moments.Beta1.ToScalar();
        using var beta2 = moments.Beta2.ToScalar();
        using var oneMinusBeta1 = (1.0 - moments.Beta1).ToScalar();
        using var oneMinusBeta2 = (1.0 - moments.Beta2).ToScalar();
        using var eps = moments.Eps.ToScalar();
        var held = new AdamMoments.Held(beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps);
        using var weightDecayS = weightDecay.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step++;
            if (weightDecay != 0.0) grad = grad.add(parameter, weightDecayS); // L2 penalty in the gradient
            moments.Apply(held, parameter, grad, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, state.step);
        }
    }, closure);

    /// <summary>
    /// Restores settings and moments from a PyTorch-layout state dict (a checkpoint's optimizer.pth). Parameters are
    /// matched by position, as PyTorch's <c>load_state_dict</c> does: the i-th parameter of the groups in order has
    /// index i, and the file's groups must list the same number of parameters.
    /// </summary>
    internal void Import(AdamStateFile file)
    {
        var groups = ParamGroups.Cast<ParamGroup>().ToList();
        Guard.Match(groups.Count == file.Groups.Count,
            $"{file.Source}: {file.Groups.Count} parameter group(s), this optimizer has {groups.Count}");
        for (int g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var saved = file.Groups[g];
            var parameters = group.Parameters.ToList();
            Guard.Match(parameters.Count == saved.Params.Length,
                $"{file.Source}: parameter group {g} lists {saved.Params.Length} parameters, this optimizer's has {parameters.Count}");
            var o = group.Options;
            o.LearningRate = saved.LearningRate;
            o.beta1 = saved.Beta1;
            o.beta2 = saved.Beta2;
            o.eps = saved.Eps;
            o.weight_decay = saved.WeightDecay;
            o.amsgrad = saved.Amsgrad;
            o.maximize = saved.Maximize;
            for (int i = 0; i < parameters.Count; i++)
            {
                var state = (State)_state[parameters[i].Handle];
                state.step = file.CopyMoments(saved.Params[i], parameters[i], state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, saved.Amsgrad);
            }
        }
    }
}
