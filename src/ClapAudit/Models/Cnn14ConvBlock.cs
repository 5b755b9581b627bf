using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

/// <summary>PANNs ConvBlock: (3x3 conv without bias, BatchNorm, ReLU) twice, then average pooling.</summary>
public sealed class Cnn14ConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly long[] _pool;

    public Cnn14ConvBlock(string name, int inChannels, int outChannels, int pool) : base(name)
    {
        conv1 = nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: 1, padding: 1, bias: false);
        conv2 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(outChannels);
        bn2 = new ScalarSafeBatchNorm2d(outChannels);
        _pool = [pool, pool];
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // In-place ReLU as PANNs (relu_): saves two activation-sized allocations per block.
        var y = bn1.call(conv1.call(x)).relu_();
        y = bn2.call(conv2.call(y)).relu_();
        if (_pool[0] > 1) y = nn.functional.avg_pool2d(y, _pool);
        return y.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose(); conv2.Dispose(); bn1.Dispose(); bn2.Dispose();
        }
        base.Dispose(disposing);
    }
}
