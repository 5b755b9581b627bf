using System.Globalization;
using ClapAudit.Training;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary><c>train --val-retrieval</c> (recipe key val_retrieval): retrieval on the validation pairs each epoch.</summary>
public class ValidationRetrievalTests(Xunit.Abstractions.ITestOutputHelper _output)
{
    // Eight validation captions of four clips (two captions each), as Clotho gives five per clip.
    private static TrainingItem[] ValidationItems() =>
        Enumerable.Range(0, 8).Select(i => new TrainingItem($"v{i}", $"clip{i / 2}.wav", $"caption {i % 3} {i / 2}")).ToArray();

    private static PairPipeline Data(int seed) =>
        new(Tiny.Items("t", 12), ValidationItems(), Tiny.LoadAudio, Tiny.Tokenize, new PipelineOptions(4, Tiny.Frames * Tiny.Mels, 2, 2, seed));

    private static double[] Row(string line) =>
        line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void TheLoggedScoresEqualABruteForceRankingOfTheValidationEmbeddingsAndTheLossIsUnchanged()
    {
        var recipe = Tiny.Recipe() with { MaxEpochs = 1 };
        using var plain = Fixtures.TempDir();
        using var scored = Fixtures.TempDir();
        using (var m = Tiny.Model(recipe.ModelOptions(), seed: 11))
        using (var fe = new TinyFrontEnd(Tiny.Frames, Tiny.Mels))
            new Trainer(m, fe, Data(recipe.Seed), recipe, plain.Path, gitCommit: "test").Train();

        var withRetrieval = recipe with { ValRetrieval = true };
        using var model = Tiny.Model(recipe.ModelOptions(), seed: 11);
        using var frontEnd = new TinyFrontEnd(Tiny.Frames, Tiny.Mels);
        var data = Data(recipe.Seed);
        new Trainer(model, frontEnd, data, withRetrieval, scored.Path, gitCommit: "test").Train();

        var log = File.ReadAllLines(Path.Combine(scored.Path, "log.csv"));
        Assert.Equal(RunDirectory.LogHeader + "," + RunDirectory.RetrievalLogColumns, log[0]);
        var row = Row(log[1]);
        Assert.Equal(15, row.Length);
        // Scoring retrieval does not change training or the validation loss (column 3).
        Assert.Equal(Row(File.ReadAllLines(Path.Combine(plain.Path, "log.csv"))[1])[3], row[3], 12);

        // Independent ranking: the trained model's embeddings of the validation batches (epoch 0, eval mode),
        // one audio row per clip (its first pair), cosine similarity, ties to the lower index.
        model.eval();
        var clipRow = new Dictionary<string, int>();
        var audio = new List<float[]>();
        var text = new List<float[]>();
        var owner = new List<int>();
        using (no_grad())
            foreach (var b in data.Batches(DataSplit.Validation, 0, 0, CancellationToken.None))
            {
                using var scope = NewDisposeScope();
                var (_, ea) = model.EncodeAudio(frontEnd.call(tensor(b.Audio, [b.Clips, b.Samples])));
                var (_, et) = model.EncodeText(tensor(b.Ids, [b.Clips, b.TokenLength]), tensor(b.Mask, [b.Clips, b.TokenLength]));
                for (int i = 0; i < b.Clips; i++)
                {
                    string key = b.AudioKeys![i];
                    if (!clipRow.ContainsKey(key)) { clipRow[key] = audio.Count; audio.Add(ea[i].data<float>().ToArray()); }
                    owner.Add(clipRow[key]);
                    text.Add(et[i].data<float>().ToArray());
                }
            }
        Assert.Equal(4, audio.Count);
        Assert.Equal(8, text.Count);
        static double Cos(float[] x, float[] y)
        {
            double d = 0, nx = 0, ny = 0;
            for (int k = 0; k < x.Length; k++) { d += (double)x[k] * y[k]; nx += (double)x[k] * x[k]; ny += (double)y[k] * y[k]; }
            return d / Math.Sqrt(nx * ny);
        }
        static int RankOf(IReadOnlyList<double> s, int target) =>
            1 + Enumerable.Range(0, s.Count).Count(i => s[i] > s[target] || (s[i] == s[target] && i < target));
        var t2a = text.Select((t, j) => RankOf(audio.Select(a => Cos(t, a)).ToList(), owner[j])).ToList();
        var a2t = audio.Select((a, i) =>
        {
            var s = text.Select(t => Cos(t, a)).ToList();
            return Enumerable.Range(0, text.Count).Where(j => owner[j] == i).Min(j => RankOf(s, j));
        }).ToList();
        static double[] Scores(List<int> r) =>
            [r.Average(x => x <= 1 ? 1.0 : 0), r.Average(x => x <= 5 ? 1.0 : 0), r.Average(x => x <= 10 ? 1.0 : 0), r.Average(x => x <= 10 ? 1.0 / x : 0)];
        var expected = Scores(t2a).Concat(Scores(a2t)).ToArray();
        _output.WriteLine($"t2a ranks {string.Join(" ", t2a)}; a2t ranks {string.Join(" ", a2t)}; logged {string.Join(" ", row[7..])}");
        for (int c = 0; c < 8; c++) Assert.Equal(expected[c], row[7 + c], 8);
    }

    [Fact]
    public void ValRetrievalIsARecipeKeyThatAResumeMayNotChange()
    {
        Assert.Contains("val_retrieval", TrainingRecipe.Keys);
        Assert.False(new TrainingRecipe().ValRetrieval);
        Assert.True(new TrainingRecipe().WithOverrides(["val_retrieval=true"]).ValRetrieval);
        Assert.DoesNotContain("val_retrieval", Trainer.ResumableKeys);
        Assert.Equal(["val_retrieval"], new TrainingRecipe().Differences(new TrainingRecipe { ValRetrieval = true }));
    }
}
