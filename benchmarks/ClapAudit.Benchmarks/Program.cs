using BenchmarkDotNet.Running;

namespace ClapAudit.Benchmarks;

/// <summary>
/// In-process micro-benchmarks of the hot kernels: <c>dotnet run -c Release --project benchmarks/ClapAudit.Benchmarks -- --filter '*'</c>.
/// Side-by-side ratios against the Python references are measured by tools/bench_*.py (see docs/benchmarks.md).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "tsne") { TsneHarness.Run(args); return; }
        if (args.Length > 0 && args[0] == "fingerprint") { FingerprintHarness.Run(args); return; }
        if (args.Length > 0 && args[0] == "audit") { AuditHarness.Run(args); return; }
        if (args.Length > 0 && args[0] == "probe") { ProbeHarness.Run(args); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
