using System.Diagnostics;
using ClapAudit.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

// Usage: ScalarStress implicit|safe SECONDS [WORKERS]
// Workers run small tensor ops and optimizer steps whose Scalars are either implicit (TorchSharp's shorthands,
// left to the finalizer) or held (SafeScalars, ScalarSafeAdam); one more thread allocates and forces
// GCs + finalizers all the time, as the data loaders' producer threads do during training.
// Prints "mode=M ops=N seconds=S ok" when it survives; a lost race kills the process natively.
string mode = args.Length > 0 ? args[0] : "implicit";
double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;
int workers = args.Length > 2 ? int.Parse(args[2]) : 2;
if (mode is not ("implicit" or "safe")) { Console.Error.WriteLine("mode must be implicit or safe"); return 2; }
bool safe = mode == "safe";
torch.set_num_threads(1);
long ops = 0;
var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));

var collector = new Thread(() =>
{
    var keep = new List<float[]>();
    while (!stop.IsCancellationRequested)
    {
        keep.Add(new float[16_000]);
        if (keep.Count > 64) keep.Clear();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
})
{ IsBackground = true };
collector.Start();

var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
{
    using var p = new Parameter(ones(64));
    using optim.Optimizer adam = safe ? new ScalarSafeAdam([p], 1e-3, amsgrad: true) : new Adam([p], 1e-3, amsgrad: true);
    while (!stop.IsCancellationRequested)
    {
        using var scope = NewDisposeScope();
        var x = rand(64);
        var y = safe
            ? x.Power(3).Plus(x).Times(0.9).Plus(1.0).Squared().DividedBy(Math.Sqrt(2.0))
            : ((x.pow(3) + x) * 0.9 + 1.0).square() / Math.Sqrt(2.0);
        adam.zero_grad();
        (safe ? p.Times(1.0).mul(y).sum() : (p * 1.0 * y).sum()).backward();
        adam.step();
        Interlocked.Add(ref ops, 8);
    }
})).ToList();
var clock = Stopwatch.StartNew();
threads.ForEach(t => t.Start());
threads.ForEach(t => t.Join());
Console.WriteLine($"mode={mode} ops={Interlocked.Read(ref ops)} seconds={clock.Elapsed.TotalSeconds:F1} ok");
return 0;
