using System.Text.Json.Nodes;
using ClapAudit.Evaluation;
using ClapAudit.Report;

namespace ClapAudit.Tests.Report;

/// <summary>
/// A tiny grid for report tests: clustered synthetic bundles whose class separation grows with a per-setup
/// "quality", so accuracy and silhouette vary together across setups; backbone-only bundles; a leakage.json.
/// </summary>
public static class SyntheticGrid
{
    public static readonly string[] ClassNames = ["dog", "rooster", "rain", "sea waves", "crackling fire", "crying baby", "clock tick", "helicopter"];

    /// <summary>Quality of each setup: the ratio of class spread to noise.</summary>
    public static readonly Dictionary<(string, string), double> Quality = new()
    {
        [("dirty", "dirty")] = 2.0,
        [("dirty", "clean")] = 1.4,
        [("dirty", "none")] = 0.8,
        [("clean", "dirty")] = 1.1,
        [("clean", "clean")] = 0.9,
        [("clean", "none")] = 0.4,
    };

    /// <summary>Writes GRID_DIR with grid.json listing all six setups; the setups in <paramref name="missing"/> get no bundle.</summary>
    public static GridManifest Write(string gridDir, IEnumerable<(string, string)>? missing = null, int perClass = 15, int dim = 16)
    {
        var skip = (missing ?? []).ToHashSet();
        var setups = new List<GridManifestSetup>();
        int seed = 1;
        foreach (var ((training, pre), q) in Quality)
        {
            string rel = $"setups/{training}-{pre}";
            setups.Add(new GridManifestSetup(training, pre, $"{rel}/bundle", $"{rel}/run", $"{rel}/zeroshot.json"));
            seed++;
            if (skip.Contains((training, pre))) continue;
            WriteBundle(Path.Combine(gridDir, rel, "bundle"), q, perClass, dim, seed, backboneOnly: false);
            Directory.CreateDirectory(Path.Combine(gridDir, rel, "run"));
            File.WriteAllText(Path.Combine(gridDir, rel, "run", "run.json"),
                new JsonObject { ["seed"] = seed, ["settings"] = new JsonObject { ["batch_size"] = 128, ["training"] = training, ["cnn14"] = pre } }.ToJsonString());
        }
        WriteBundle(Path.Combine(gridDir, "backbones/dirty/bundle"), 1.5, perClass, dim, 101, backboneOnly: true);
        WriteBundle(Path.Combine(gridDir, "backbones/clean/bundle"), 0.7, perClass, dim, 102, backboneOnly: true);
        Directory.CreateDirectory(Path.Combine(gridDir, "data"));
        File.WriteAllText(Path.Combine(gridDir, "data/leakage.json"), Leakage.ToJsonString());
        var grid = new GridManifest
        {
            Title = "Synthetic grid",
            Setups = setups,
            Backbones =
            [
                new GridManifestBackbone("x_a, dirty pre-training", "backbones/dirty/bundle", "audio_backbone"),
                new GridManifestBackbone("x_a, clean pre-training", "backbones/clean/bundle", "audio_backbone"),
                new GridManifestBackbone("x_t (text backbone)", "backbones/dirty/bundle", "text_backbone"),
            ],
            Leakage = "data/leakage.json",
            Notes = ["synthetic data"],
        };
        grid.Save(gridDir);
        return grid;
    }

    public static JsonObject Leakage => new()
    {
        ["words"] = new JsonArray("dog", "rooster", "rain"),
        ["match"] = "word",
        ["before"] = new JsonObject { ["pairs"] = 1000, ["audio"] = 200 },
        ["removed"] = new JsonObject { ["pairs"] = 37, ["audio"] = 9 },
        ["after"] = new JsonObject { ["pairs"] = 963, ["audio"] = 191 },
        ["by_word"] = new JsonObject
        {
            ["dog"] = new JsonObject { ["pairs"] = 21, ["audio"] = 5, ["captions"] = 21 },
            ["rain"] = new JsonObject { ["pairs"] = 16, ["audio"] = 4, ["captions"] = 16 },
            ["rooster"] = new JsonObject { ["pairs"] = 0, ["audio"] = 0, ["captions"] = 0 },
        },
        ["by_dataset"] = new JsonObject
        {
            ["clotho"] = new JsonObject
            {
                ["before"] = new JsonObject { ["pairs"] = 1000, ["audio"] = 200 },
                ["removed"] = new JsonObject { ["pairs"] = 37, ["audio"] = 9 },
                ["after"] = new JsonObject { ["pairs"] = 963, ["audio"] = 191 },
            },
        },
    };

    /// <summary>Class centres plus Gaussian noise; E_t near the same centres as E_a, x_a and x_t on their own centres.</summary>
    public static void WriteBundle(string folder, double quality, int perClass, int dim, int seed, bool backboneOnly)
    {
        var rng = new Random(seed);
        double G() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        int c = ClassNames.Length, n = c * perClass;
        double[] Centres(int d) => Enumerable.Range(0, c * d).Select(_ => G()).ToArray();
        double[] joint = Centres(dim), backbone = Centres(dim + 8), textBackbone = Centres(dim + 4);
        var labels = Enumerable.Range(0, n).Select(i => i % c).ToArray();
        EmbeddingMatrix Items(double[] centres, int d, double q) => new(
            Enumerable.Range(0, n * d).Select(k => q * centres[labels[k / d] * d + k % d] + G()).ToArray(), n, d);
        EmbeddingMatrix Rows(double[] centres, int d) => new(centres.Select(v => v + 0.3 * G()).ToArray(), c, d);
        var xa = Items(backbone, dim + 8, quality);
        var xt = Rows(textBackbone, dim + 4);
        if (backboneOnly)
            EmbeddingBundleWriter.Write(folder, null, null, labels, ClassNames, xa, xt);
        else
            EmbeddingBundleWriter.Write(folder, Items(joint, dim, quality), Rows(joint, dim), labels, ClassNames, xa, xt);
    }
}
