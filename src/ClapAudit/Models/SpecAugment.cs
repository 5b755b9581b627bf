using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>
/// torchlibrosa's SpecAugmentation on (B, C, time, mel): per example, <c>stripes</c> time stripes of
/// width randint(0, timeDropWidth) and frequency stripes of width randint(0, freqDropWidth), each
/// at a random start, set to 0. Active in training mode only. Draws from <see cref="Generator"/> when one
/// is set, else from torch's process-wide generator (then <c>torch.manual_seed</c> makes it repeatable).
/// </summary>
public sealed class SpecAugment : nn.Module<Tensor, Tensor>
{
    private readonly int _timeWidth, _timeStripes, _freqWidth, _freqStripes;

    public SpecAugment(int timeDropWidth = 64, int timeStripes = 2, int freqDropWidth = 8, int freqStripes = 2) : base(nameof(SpecAugment))
    {
        (_timeWidth, _timeStripes, _freqWidth, _freqStripes) = (timeDropWidth, timeStripes, freqDropWidth, freqStripes);
        RegisterComponents();
    }

    /// <summary>The generator the stripes are drawn from (null: torch's default generator).</summary>
    public Generator? Generator { get; set; }

    public override Tensor forward(Tensor x)
    {
        if (!training) return x.alias();
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[2], f = x.shape[3];
        var timeKeep = StripeMask(b, t, _timeWidth, _timeStripes, Generator);
        var freqKeep = StripeMask(b, f, _freqWidth, _freqStripes, Generator);
        var tm = tensor(timeKeep, [b, 1, t, 1], dtype: x.dtype, device: x.device);
        var fm = tensor(freqKeep, [b, 1, 1, f], dtype: x.dtype, device: x.device);
        return (x * tm * fm).MoveToOuterDisposeScope();
    }

    /// <summary>1 where kept, 0 inside a dropped stripe; one row per example.</summary>
    internal static float[] StripeMask(long batch, long total, int dropWidth, int stripes, Generator? generator = null)
    {
        var keep = new float[batch * total];
        Array.Fill(keep, 1f);
        if (dropWidth <= 0 || stripes <= 0) return keep;
        for (long i = 0; i < batch; i++)
            for (int s = 0; s < stripes; s++)
            {
                long distance = RandInt(0, Math.Min(dropWidth, total), generator);
                long begin = RandInt(0, total - distance, generator);
                for (long k = begin; k < begin + distance; k++) keep[i * total + k] = 0f;
            }
        return keep;
    }

    private static long RandInt(long low, long high, Generator? generator)
    {
        if (high <= low) return low;
        using var r = randint(low, high, [1], generator: generator);
        return r.item<long>();
    }
}
