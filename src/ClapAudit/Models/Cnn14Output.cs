using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>CNN14's outputs: the embedding x_a = relu(fc1) (B, EmbeddingSize) and sigmoid(fc_audioset) (B, classes).</summary>
public sealed record Cnn14Output(Tensor Embedding, Tensor Clipwise) : IDisposable
{
    public void Dispose()
    {
        Embedding.Dispose();
        Clipwise.Dispose();
    }
}
