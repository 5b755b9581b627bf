using ClapAudit.Models;
using ClapAudit.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Models;

/// <summary>Repeated forward passes leave no live tensors behind (dispose scopes in every forward).</summary>
public class BackboneSoakTests
{
    [Fact]
    public void RepeatedForwardsKeepTheLiveTensorCountFlat()
    {
        using var cnn = new Cnn14(new Cnn14Options { MelBins = 32, Channels = [2, 2, 2, 2, 2, 4], ClassCount = 3 });
        using var bert = new BertModel(new BertConfig { VocabSize = 30522, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 16 });
        var tokenizer = BertTokenizer.Load(Fixtures.Path("text", "bert-base-uncased-vocab.txt"));
        using var x = randn(2, 1, 40, 32);
        var (ids, mask) = tokenizer.EncodeBatch(["a dog barks", "rain"]).ToTensors();
        using var _ids = ids;
        using var _mask = mask;
        void Step(bool train)
        {
            cnn.train(train);
            bert.train(train);
            using var a = cnn.EmbedAudio(x);
            using var t = bert.EmbedText(ids, mask);
        }
        for (int i = 0; i < 5; i++) Step(i % 2 == 0);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 200; i++) Step(i % 2 == 0);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }
}
