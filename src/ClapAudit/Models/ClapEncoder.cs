using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>
/// One branch of CLAP as msclap lays it out: <c>base</c> (the backbone) and <c>projection</c>.
/// The backbone's forward is held as a delegate, not as an interface field, because
/// RegisterComponents registers every field whose value is a module: a second field holding the
/// same backbone would register it twice under another name.
/// </summary>
public sealed class ClapEncoder : nn.Module
{
    private readonly nn.Module @base;
    private readonly Projection projection;
    private readonly Func<Tensor[], Tensor> _embed;

    public ClapEncoder(nn.Module backbone, Func<Tensor[], Tensor> embed, Projection projectionModule) : base(nameof(ClapEncoder))
    {
        @base = backbone;
        projection = projectionModule;
        _embed = embed;
        RegisterComponents();
    }

    /// <summary>The backbone module (state-dict prefix <c>base.</c>).</summary>
    public nn.Module Backbone => @base;
    public Projection Projector => projection;

    /// <summary>Backbone embedding x and its projection (not normalised).</summary>
    public (Tensor x, Tensor projected) Forward(params Tensor[] inputs)
    {
        var x = _embed(inputs);
        return (x, projection.call(x));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            @base.Dispose();
            projection.Dispose();
        }
        base.Dispose(disposing);
    }
}
