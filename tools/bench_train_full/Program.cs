// One CLAP training step at batch 8 with FULL-size CNN14 (80.8M) and BERT-base (109M), frozen and
// unfrozen, on a fixed log-mel batch (8, 1, 690, 64) (5 s at 44.1 kHz) and 100-token captions of which
// 24 are real; then the data pipeline with real decoding. Usage: BenchTrainFull THREADS STEPS [pipeline-only]
using System.Diagnostics;
using ClapAudit.Audio;
using ClapAudit.Models;
using ClapAudit.Text;
using ClapAudit.Training;
using TorchSharp;
using static TorchSharp.torch;

int threads = args.Length > 0 ? int.Parse(args[0]) : 2;
int steps = args.Length > 1 ? int.Parse(args[1]) : 3;
bool pipelineOnly = args.Length > 2 && args[2] == "pipeline";
torch.set_num_threads(threads);
const int B = 8, L = 100, Real = 24;

if (!pipelineOnly)
    foreach (bool frozen in new[] { true, false })
    {
        manual_seed(0);
        using var model = new ClapModel(new Cnn14(), new BertModel(new BertConfig()), new ClapModelOptions());
        model.SetBackbonesFrozen(frozen);
        model.train();
        using var optimizer = optim.Adam(model.TrainableParameters(), 1e-4);
        using var x = randn(B, 1, 690, 64);
        using var ids = randint(1, 30522, [B, L]);
        using var mask = cat([ones(B, Real, dtype: int64), zeros(B, L - Real, dtype: int64)], 1);
        var times = new List<double>();
        for (int i = 0; i < steps + 1; i++) // the first step warms up (allocations, Adam state)
        {
            var sw = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                model.SeedDropout(i);
                TrainingStep.Apply(model, x, ids, mask, optimizer, 100);
            }
            if (i >= 1) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"dotnet full {(frozen ? "frozen" : "unfrozen")} min_ms {times.Min():F1} mean_ms {times.Average():F1}");
    }

// The pipeline with real decoding: 16-bit WAVs of 12 s at 44.1 kHz, random 5 s crops, z-normalised,
// captions tokenised to 100 tokens; 128 items, batch 32, workers = threads.
{
    string dir = Path.Combine(Path.GetTempPath(), "clapaudit-bench-pipeline");
    Directory.CreateDirectory(dir);
    var rng = new Random(1);
    var files = new List<string>();
    for (int f = 0; f < 16; f++)
    {
        string path = Path.Combine(dir, $"clip{f}.wav");
        files.Add(path);
        if (File.Exists(path)) continue;
        int n = 44100 * 12;
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8); w.Write(36 + n * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(44100); w.Write(88200); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(n * 2);
        for (int i = 0; i < n; i++) w.Write((short)(8000 * Math.Sin(0.01 * i * (f + 1)) + rng.Next(-500, 500)));
    }
    var tokenizer = BertTokenizer.Load(Path.Combine("tests", "fixtures", "models", "bert-tiny-st"));
    var items = Enumerable.Range(0, 128).Select(i => new TrainingItem($"t{i}", files[i % files.Count], "a dog barks and rain falls on the roof")).ToList();
    var pre = new AudioPreprocessing();
    var p = new PairPipeline(items, items.Take(4).ToList(), (item, r) => AudioPreprocessor.Load(item.Audio, pre, null, r),
        c => { var b = tokenizer.EncodeBatch([c], 100, TokenPadding.MaxLength); return (b.InputIds, b.AttentionMask); },
        new PipelineOptions(32, pre.TargetSamples, Workers: Math.Max(1, threads), PrefetchBatches: 2));
    p.Batches(DataSplit.Train, 0, 0, CancellationToken.None).Take(1).Sum(b => b.Clips); // warm-up
    var sw = Stopwatch.StartNew();
    int clips = p.Batches(DataSplit.Train, 1, 0, CancellationToken.None).Sum(b => b.Clips);
    Console.WriteLine($"dotnet pipeline_decoding clips_per_s {clips / sw.Elapsed.TotalSeconds:F1}");
}
