using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

/// <summary>
/// The CLIP loss: with logits C (N audio x N captions) whose diagonal holds the matching pairs,
/// the mean of the cross-entropy over rows (audio to text) and over columns (text to audio).
/// </summary>
public static class ClipLoss
{
    public static Tensor Compute(Tensor logits)
    {
        if (logits.dim() != 2 || logits.shape[0] != logits.shape[1])
            throw new Common.ClapAuditException(Common.ErrorKind.Mismatch,
                $"CLIP loss needs square logits (N x N), got ({string.Join(", ", logits.shape)})");
        using var scope = NewDisposeScope();
        var targets = SafeScalars.Arange(logits.shape[0], int64, logits.device);
        var rows = nn.functional.cross_entropy(logits, targets);
        var columns = nn.functional.cross_entropy(logits.t(), targets);
        return rows.Plus(columns).DividedBy(2).MoveToOuterDisposeScope();
    }
}
