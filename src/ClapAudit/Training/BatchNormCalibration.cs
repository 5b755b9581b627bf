using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Training;

/// <summary>
/// Sets the BatchNorm running statistics of a module from data, without changing a weight: every
/// BatchNorm layer is reset (mean 0, variance 1, count 0), put in train mode with PyTorch's cumulative
/// average (<c>momentum = None</c>), and the caller's forward passes run under <c>no_grad</c>, the rest
/// of the module in eval mode (no dropout, no SpecAugment). Afterwards each layer's running mean and
/// variance are the plain averages of its batch statistics over those passes, and the momenta and the
/// module's mode are restored. Used before a randomly initialised CNN14 trains: a frozen random CNN14
/// would otherwise normalise with mean 0 and variance 1 whatever its activations are.
/// Cost: the forward passes only (no backward, no optimiser state).
/// </summary>
public static class BatchNormCalibration
{
    /// <summary>Runs <paramref name="forwardPasses"/> with <paramref name="module"/>'s BatchNorm layers collecting statistics; returns the layer count.</summary>
    public static int Calibrate(nn.Module module, Action forwardPasses)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(forwardPasses);
        var layers = module.modules().OfType<BatchNorm>()
            .Where(b => b.running_mean is not null && b.running_var is not null && b.num_batches_tracked is not null).ToList();
        var momenta = layers.Select(b => b.momentum).ToList();
        bool wasTraining = module.training;
        try
        {
            module.eval();
            using (no_grad())
            {
                foreach (var b in layers)
                {
                    b.running_mean!.zero_();
                    b.running_var!.fill_(Interop.SafeScalars.One);
                    b.num_batches_tracked!.zero_();
                    b.momentum = null;
                    b.train();
                }
                forwardPasses();
            }
        }
        finally
        {
            for (int i = 0; i < layers.Count; i++) layers[i].momentum = momenta[i];
            module.train(wasTraining);
        }
        return layers.Count;
    }
}
