// Times ClapAudit's LogMelSpectrogram on the clips that tools/bench_logmel.py wrote.
// Usage: BenchLogMel INPUT.npy CLIPS BATCH THREADS REPEATS
using System.Diagnostics;
using ClapAudit.Audio;
using ClapAudit.Common;
using static TorchSharp.torch;

string input = args[0];
int clips = int.Parse(args[1]), batch = int.Parse(args[2]), threads = int.Parse(args[3]), repeats = int.Parse(args[4]);
set_num_threads(threads);
var npy = NpyArray.Read(input);
int distinct = npy.Shape[0], samples = npy.Shape[1];
using var all = tensor(npy.ToFloatArray(), [distinct, samples]);
using var module = new LogMelSpectrogram(new LogMelOptions());
using var _ = no_grad();
double checksum = 0;
void Run(int count)
{
    checksum = 0;
    for (int done = 0; done < count; done += batch)
    {
        using var scope = NewDisposeScope();
        int start = done % distinct;
        var x = all.narrow(0, start, Math.Min(batch, distinct - start));
        var y = module.call(x);
        checksum += y[0, 0, 0, 0].item<float>();
    }
}
Run(batch); // warm-up: one batch
double best = double.MaxValue;
for (int r = 0; r < repeats; r++)
{
    var sw = Stopwatch.StartNew();
    Run(clips);
    best = Math.Min(best, sw.Elapsed.TotalSeconds);
}
Console.WriteLine($"dotnet_seconds {best:F4} checksum {checksum:G6}");
