// Reads one checkpoint with CheckpointFile.Read (either torch.save container or safetensors) and prints
// "dotnet file=F bytes=N load_s=T tensors=K values=V baseline_rss_mb=B peak_rss_mb=P peak_over_file=R".
// Peak RSS is the whole process's high-water mark (VmHWM: runtime, libtorch and the tensors); the baseline is
// the RSS after TorchSharp is loaded and before the file is read. The time includes touching every page of the
// tensors once (torch.load's tensors are resident when it returns). A second argument, a tiny checkpoint, is read first.
using System.Diagnostics;
using ClapAudit.Checkpoints;
using static TorchSharp.torch;

string path = args[0];
// Optional warm-up on a tiny file of the same container: the code is then loaded and compiled before the baseline.
if (args.Length > 1) CheckpointFile.Read(args[1]).Dispose();
using (var warm = zeros(1)) { } // loads libtorch before the baseline is taken
double baseline = StatusMb("VmRSS");
double baselinePeak = StatusMb("VmHWM");
var sw = Stopwatch.StartNew();
using var file = CheckpointFile.Read(path);
// Every page of every tensor is read once (one byte per 4 KiB, from managed code, so nothing is allocated): a
// memory-mapped safetensors read defers its page faults to the first use, and the figures include them.
long pages = 0, sink = 0;
foreach (var t in file.Tensors.Values)
{
    if (t.numel() == 0) continue;
    var span = t.bytes;
    for (int i = 0; i < span.Length; i += 4096, pages++) sink += span[i];
}
GC.KeepAlive(sink);
sw.Stop();
long values = file.Tensors.Values.Sum(t => t.numel());
long bytes = new FileInfo(path).Length;
double peak = StatusMb("VmHWM");
Console.WriteLine($"dotnet file={Path.GetFileName(path)} bytes={bytes} load_s={sw.Elapsed.TotalSeconds:F2} tensors={file.Count} " +
                  $"values={values} pages_touched={pages} baseline_rss_mb={baseline:F0} baseline_peak_mb={baselinePeak:F0} peak_rss_mb={peak:F0} peak_over_file={peak * 1048576 / bytes:F2}");

static double StatusMb(string field)
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}
