using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Interop;

/// <summary>
/// TorchSharp's BatchNorm2d (same parameters, buffers, state-dict keys and math) whose training forward
/// counts <c>num_batches_tracked</c> with a held Scalar: TorchSharp 0.107's <c>BatchNorm.forward</c> calls
/// <c>num_batches_tracked.add_(1)</c>, an implicit Scalar left to the finalizer, and reads the count back through
/// another (<c>ToDouble()</c>) when momentum is null (see <see cref="SafeScalars"/>).
/// </summary>
public sealed class ScalarSafeBatchNorm2d : BatchNorm
{
    /// <summary>As <c>nn.BatchNorm2d(features)</c> with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, running stats).</summary>
    public ScalarSafeBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }

    public override Tensor forward(Tensor input)
    {
        // The body of TorchSharp's BatchNorm.forward, with SafeScalars.One in place of the implicit 1.
        ValidateInputDimensions(input);
        double factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(SafeScalars.One, SafeScalars.One);
            factor = momentum ?? 1.0 / num_batches_tracked.ItemAsDouble();
        }
        bool useBatchStats = training || (running_mean is null && running_var is null);
        bool passStats = !training || track_running_stats;
        return nn.functional.batch_norm(input, passStats ? running_mean : null, passStats ? running_var : null,
            weight, bias, useBatchStats, factor, eps);
    }
}
