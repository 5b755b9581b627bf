using ClapAudit.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>Sizes and constants of the CLAP head (backbone sizes come from the backbones).</summary>
public sealed record ClapModelOptions
{
    /// <summary>Joint embedding size d_proj (msclap: 1024).</summary>
    public int ProjectionDim { get; init; } = 1024;
    /// <summary>Dropout inside each projector (msclap: 0.5).</summary>
    public double ProjectionDropout { get; init; } = 0.5;
    /// <summary>Logits are clamped to [-LogitClamp, LogitClamp] (paper item (g)); 0 or less: no clamp.</summary>
    public double LogitClamp { get; init; } = 100;
    /// <summary>logit_scale starts at ln(1 / InitialTemperature) (msclap/CLIP: 0.07).</summary>
    public double InitialTemperature { get; init; } = 0.07;

    public void Validate()
    {
        Guard.Positive(ProjectionDim);
        Guard.InRange(ProjectionDropout, 0, 1);
        Guard.Positive(InitialTemperature);
    }
}

/// <summary>
/// CLAP: audio and text backbones, each followed by a projector into a joint space where the
/// embeddings are L2-normalised and compared by a learnable temperature. The module tree matches
/// msclap's state dict: <c>audio_encoder.base.*</c>, <c>audio_encoder.projection.*</c>,
/// <c>caption_encoder.base.*</c>, <c>caption_encoder.projection.*</c>, <c>logit_scale</c>.
/// </summary>
/// <remarks>
/// Frozen backbones are kept in eval mode, also while the model trains: "frozen" then means a fixed
/// feature extractor, so CNN14's BatchNorm running statistics do not drift and its dropout stays
/// off, as with <c>requires_grad_(False)</c> plus <c>.eval()</c> in PyTorch fine-tuning recipes.
/// Without the eval mode a frozen CNN14 would still change (its BatchNorm statistics).
/// </remarks>
public sealed class ClapModel : nn.Module
{
    private readonly ClapEncoder audio_encoder;
    private readonly ClapEncoder caption_encoder;
    private readonly Parameter logit_scale;

    public ClapModelOptions Options { get; }
    public bool BackbonesFrozen { get; private set; }

    public ClapModel(IAudioBackbone audio, ITextBackbone text, ClapModelOptions? options = null) : base(nameof(ClapModel))
    {
        Options = options ?? new ClapModelOptions();
        Options.Validate();
        Guard.Positive(audio.EmbeddingSize);
        Guard.Positive(text.EmbeddingSize);
        audio_encoder = new ClapEncoder(audio.AsModule, t => audio.EmbedAudio(t[0]),
            new Projection(audio.EmbeddingSize, Options.ProjectionDim, Options.ProjectionDropout));
        caption_encoder = new ClapEncoder(text.AsModule, t => text.EmbedText(t[0], t[1]),
            new Projection(text.EmbeddingSize, Options.ProjectionDim, Options.ProjectionDropout));
        logit_scale = new Parameter(tensor(Math.Log(1 / Options.InitialTemperature), float32));
        RegisterComponents();
    }

    public ClapEncoder AudioEncoder => audio_encoder;
    public ClapEncoder CaptionEncoder => caption_encoder;
    public Parameter LogitScale => logit_scale;

    /// <summary>log-mel (B, 1, frames, mels) to x_a (B, audio size) and E_a (B, d_proj), unit L2 norm.</summary>
    public (Tensor xa, Tensor ea) EncodeAudio(Tensor logMel)
    {
        using var scope = NewDisposeScope();
        var (x, p) = audio_encoder.Forward(logMel);
        var e = nn.functional.normalize(p, p: 2, dim: 1);
        return (x.MoveToOuterDisposeScope(), e.MoveToOuterDisposeScope());
    }

    /// <summary>Token ids and mask (B, L) int64 to x_t (B, text size) and E_t (B, d_proj), unit L2 norm.</summary>
    public (Tensor xt, Tensor et) EncodeText(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var (x, p) = caption_encoder.Forward(inputIds, attentionMask);
        var e = nn.functional.normalize(p, p: 2, dim: 1);
        return (x.MoveToOuterDisposeScope(), e.MoveToOuterDisposeScope());
    }

    /// <summary>C = clamp(exp(logit_scale) * E_a E_t^T, -clamp, clamp): (N audio, N text).</summary>
    public Tensor Logits(Tensor ea, Tensor et)
    {
        using var scope = NewDisposeScope();
        var c = logit_scale.exp() * ea.matmul(et.t());
        if (Options.LogitClamp > 0)
        {
            using var lo = (-Options.LogitClamp).ToScalar();
            using var hi = Options.LogitClamp.ToScalar();
            c = c.clamp(lo, hi);
        }
        return c.MoveToOuterDisposeScope();
    }

    /// <summary>The CLIP loss of a batch of matching pairs (row i of the audio with row i of the text).</summary>
    public Tensor Loss(Tensor logMel, Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var (_, ea) = EncodeAudio(logMel);
        var (_, et) = EncodeText(inputIds, attentionMask);
        return ClipLoss.Compute(Logits(ea, et)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Makes every dropout of the model (projectors, and the backbones that support it: CNN14, BERT) draw
    /// from a generator seeded with <paramref name="seed"/>, independent of torch's process-wide generator
    /// (the trainer reseeds it every step, so a step's masks depend on the seed and the step alone).
    /// </summary>
    public void SeedDropout(long seed)
    {
        var old = _dropoutGenerator;
        _dropoutGenerator = new Generator((ulong)seed, logit_scale.device);
        foreach (var m in modules().OfType<ISeededDropout>()) m.DropoutGenerator = _dropoutGenerator;
        old?.Dispose();
    }

    private Generator? _dropoutGenerator;

    /// <summary>Initialises both projectors from a generator seeded with <paramref name="seed"/> (see <see cref="Projection.ResetParameters"/>).</summary>
    public void InitializeProjectors(long seed)
    {
        using var generator = new Generator((ulong)seed, logit_scale.device);
        audio_encoder.Projector.ResetParameters(generator);
        caption_encoder.Projector.ResetParameters(generator);
    }

    /// <summary>
    /// Freezes or unfreezes both backbones (requires_grad on their parameters). Frozen backbones are
    /// put in eval mode and stay there whatever <see cref="train"/> is called with.
    /// </summary>
    public void SetBackbonesFrozen(bool frozen)
    {
        BackbonesFrozen = frozen;
        foreach (var p in audio_encoder.Backbone.parameters()) p.requires_grad = !frozen;
        foreach (var p in caption_encoder.Backbone.parameters()) p.requires_grad = !frozen;
        train(training);
    }

    public override void train(bool on = true)
    {
        base.train(on);
        if (on && BackbonesFrozen)
        {
            audio_encoder.Backbone.eval();
            caption_encoder.Backbone.eval();
        }
    }

    /// <summary>The parameters the optimiser updates: projectors and logit_scale, plus the backbones when unfrozen.</summary>
    public IReadOnlyList<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad).ToList();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            audio_encoder.Dispose();
            caption_encoder.Dispose();
            logit_scale.Dispose();
            _dropoutGenerator?.Dispose();
        }
        base.Dispose(disposing);
    }
}
