using ClapAudit.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

/// <summary>
/// PANNs Cnn14 without its front-end: log-mel (B, 1, frames, mels) in; bn0 over the mel axis,
/// (training: SpecAugment, optional mixup), six conv blocks each followed by dropout 0.2, mean
/// over frequency, max + mean over time, dropout 0.5, relu(fc1) = the embedding x_a and
/// sigmoid(fc_audioset) = the clip-wise output. Field names are the PANNs state-dict names.
/// </summary>
public sealed class Cnn14 : nn.Module<Tensor, Cnn14Output>, IAudioBackbone, ISeededDropout
{
    // Declaration order = PyTorch's state-dict order.
    private readonly ScalarSafeBatchNorm2d bn0;
    private readonly Cnn14ConvBlock conv_block1;
    private readonly Cnn14ConvBlock conv_block2;
    private readonly Cnn14ConvBlock conv_block3;
    private readonly Cnn14ConvBlock conv_block4;
    private readonly Cnn14ConvBlock conv_block5;
    private readonly Cnn14ConvBlock conv_block6;
    private readonly Linear fc1;
    private readonly Linear fc_audioset;
    private readonly SpecAugment spec_augmenter;

    public Cnn14(Cnn14Options? options = null) : base(nameof(Cnn14))
    {
        Options = (options ?? new Cnn14Options()).Validated();
        var c = Options.Channels;
        bn0 = new ScalarSafeBatchNorm2d(Options.MelBins);
        conv_block1 = new Cnn14ConvBlock(nameof(conv_block1), 1, c[0], 2);
        conv_block2 = new Cnn14ConvBlock(nameof(conv_block2), c[0], c[1], 2);
        conv_block3 = new Cnn14ConvBlock(nameof(conv_block3), c[1], c[2], 2);
        conv_block4 = new Cnn14ConvBlock(nameof(conv_block4), c[2], c[3], 2);
        conv_block5 = new Cnn14ConvBlock(nameof(conv_block5), c[3], c[4], 2);
        conv_block6 = new Cnn14ConvBlock(nameof(conv_block6), c[4], c[5], 1);
        fc1 = nn.Linear(c[5], Options.ResolvedEmbeddingSize, hasBias: true);
        fc_audioset = nn.Linear(Options.ResolvedEmbeddingSize, Options.ClassCount, hasBias: true);
        spec_augmenter = new SpecAugment(Options.TimeDropWidth, Options.TimeStripes, Options.FreqDropWidth, Options.FreqStripes);
        RegisterComponents();
    }

    public Cnn14Options Options { get; }
    public int EmbeddingSize => Options.ResolvedEmbeddingSize;
    public nn.Module AsModule => this;

    /// <summary>The generator dropout and SpecAugment draw from (null: torch's default generator).</summary>
    public Generator? DropoutGenerator
    {
        get => spec_augmenter.Generator;
        set => spec_augmenter.Generator = value;
    }

    public override Cnn14Output forward(Tensor logMel) => Forward(logMel, null);

    /// <summary>The forward pass; in training mode <paramref name="mixupLambda"/> (B,) mixes pairs after SpecAugment (output batch B/2).</summary>
    public Cnn14Output Forward(Tensor logMel, Tensor? mixupLambda)
    {
        Guard.Match(logMel.dim() == 4 && logMel.shape[1] == 1 && logMel.shape[3] == Options.MelBins,
            $"CNN14 expects log-mel input (batch, 1, frames, {Options.MelBins}), got ({string.Join(", ", logMel.shape)})");
        Guard.Match(logMel.shape[2] >= Cnn14Options.MinimumInputSize && Options.MelBins >= Cnn14Options.MinimumInputSize,
            $"CNN14 needs at least {Cnn14Options.MinimumInputSize} frames and mel bins (five 2x2 poolings), got {logMel.shape[2]} frames and {Options.MelBins} mels");
        using var scope = NewDisposeScope();
        var x = bn0.call(logMel.transpose(1, 3)).transpose(1, 3);
        if (training && Options.SpecAugment) x = spec_augmenter.call(x);
        if (training && mixupLambda is not null) x = Mixup.Apply(x, mixupLambda);
        foreach (var block in new[] { conv_block1, conv_block2, conv_block3, conv_block4, conv_block5, conv_block6 })
            x = SeededDropout.Apply(block.call(x), Options.BlockDropout, training, DropoutGenerator);
        x = x.mean([3]);
        var (maxOverTime, _) = x.max(2);
        x = maxOverTime.Plus(x.mean([2]));
        x = SeededDropout.Apply(x, Options.HeadDropout, training, DropoutGenerator);
        x = fc1.call(x).relu_();
        var clipwise = nn.functional.sigmoid(fc_audioset.call(x));
        // PANNs and msclap return the embedding through dropout 0.5 (a no-op in eval).
        var embedding = SeededDropout.Apply(x, Options.HeadDropout, training, DropoutGenerator);
        return new Cnn14Output(embedding.MoveToOuterDisposeScope(), clipwise.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// As <c>nn.Module.train</c>; with <see cref="Cnn14BatchNorm.Running"/> the BatchNorm layers stay in eval
    /// mode (running statistics, not updated) while dropout and SpecAugment follow <paramref name="on"/>.
    /// </summary>
    public override void train(bool on = true)
    {
        base.train(on);
        if (on && Options.BatchNorm == Cnn14BatchNorm.Running)
            foreach (var bn in BatchNorms()) bn.eval();
    }

    /// <summary>bn0 and the two BatchNorm layers of each conv block, in state-dict order.</summary>
    public IEnumerable<BatchNorm> BatchNorms() => modules().OfType<BatchNorm>();

    public Tensor EmbedAudio(Tensor logMel)
    {
        using var output = Forward(logMel, null);
        return output.Embedding.alias();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bn0.Dispose();
            foreach (var b in new[] { conv_block1, conv_block2, conv_block3, conv_block4, conv_block5, conv_block6 }) b.Dispose();
            fc1.Dispose(); fc_audioset.Dispose(); spec_augmenter.Dispose();
        }
        base.Dispose(disposing);
    }
}
