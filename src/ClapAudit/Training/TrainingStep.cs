using ClapAudit.Common;
using ClapAudit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Training;

/// <summary>One optimisation step: CLIP loss, backward, gradient-norm clipping (item (f)), Adam step.</summary>
public static class TrainingStep
{
    /// <returns>The loss and the total gradient norm before clipping (as clip_grad_norm_ returns it).</returns>
    public static (float Loss, double GradNorm) Apply(ClapModel model, Tensor logMel, Tensor ids, Tensor mask,
        optim.Optimizer optimizer, double clipNorm)
    {
        using var scope = NewDisposeScope();
        var loss = model.Loss(logMel, ids, mask);
        float value = loss.item<float>();
        if (!float.IsFinite(value))
            throw new ClapAuditException(ErrorKind.NonFinite, $"training loss is {value}");
        optimizer.zero_grad();
        loss.backward();
        double norm = nn.utils.clip_grad_norm_(model.TrainableParameters(), clipNorm);
        optimizer.step();
        return (value, norm);
    }
}
