// CNN14 (full size, eval, no_grad) forward time for a (batch, 1, 690, 64) log-mel input:
// dotnet run -c Release -- BATCH REPEATS THREADS. Prints "dotnet batch=B median_s=... runs=[...]".
using System.Diagnostics;
using ClapAudit.Models;
using TorchSharp;
using static TorchSharp.torch;

int batch = args.Length > 0 ? int.Parse(args[0]) : 32;
int repeats = args.Length > 1 ? int.Parse(args[1]) : 3;
int threads = args.Length > 2 ? int.Parse(args[2]) : 2;
torch.set_num_threads(threads);
torch.manual_seed(0);
using var model = new Cnn14();
model.eval();
using var x = randn(batch, 1, 690, 64);
var times = new List<double>();
using (no_grad())
{
    for (int i = 0; i <= repeats; i++)
    {
        var sw = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            var y = model.EmbedAudio(x);
            _ = y.sum().item<float>();
        }
        sw.Stop();
        if (i > 0) times.Add(sw.Elapsed.TotalSeconds); // the first run is warm-up
    }
}
times.Sort();
Console.WriteLine($"dotnet batch={batch} median_s={times[times.Count / 2]:F3} runs=[{string.Join(", ", times.Select(t => t.ToString("F3")))}]");
