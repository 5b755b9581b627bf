using ClapAudit.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary>
/// ScalarSafeAdam/ScalarSafeAdamW against TorchSharp's own Adam/AdamW (the reference whose math they copy):
/// the same parameters bit for bit after 20 steps on three parameter tensors, with a learning-rate
/// change at step 10 (as the trainers' schedules do), and a state loaded from TorchSharp's optimizer (resume).
/// </summary>
public class ScalarSafeOptimizerTests
{
    private const int Steps = 20;

    public static TheoryData<string, double, bool, bool> Cases => new()
    {
        { "adam", 0.0, false, false },
        { "adam", 0.0, true, false },
        { "adam", 0.01, false, false },
        { "adam", 0.01, true, true },
        { "adamw", 0.01, false, false },
        { "adamw", 0.1, true, false },
        { "adamw", 0.0, false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void StepsAreBitIdenticalToTorchSharps(string kind, double weightDecay, bool amsgrad, bool maximize)
    {
        using var reference = new TinyProblem();
        using var safe = new TinyProblem();
        using var refOptimizer = Create(kind, reference.Parameters, weightDecay, amsgrad, maximize, safeVersion: false);
        using var safeOptimizer = Create(kind, safe.Parameters, weightDecay, amsgrad, maximize, safeVersion: true);
        for (int step = 0; step < Steps; step++)
        {
            if (step == Steps / 2)
                foreach (var o in new[] { refOptimizer, safeOptimizer })
                    foreach (var g in o.ParamGroups) g.LearningRate = 3e-3;
            reference.Step(refOptimizer);
            safe.Step(safeOptimizer);
        }
        AssertSameBits(reference, safe);
        Assert.False(reference.SameAsStart(), "the optimizer did not move the parameters");
    }

    [Theory]
    [InlineData("adam", true)]
    [InlineData("adamw", false)]
    public void ResumesFromTorchSharpsOptimizerState(string kind, bool amsgrad)
    {
        // Trained 10 steps by TorchSharp's optimizer, then both continue: one with its own state, one with a
        // safe optimizer that loaded it (what resuming from an optimizer.pth written before this change does).
        using var reference = new TinyProblem();
        using var refOptimizer = Create(kind, reference.Parameters, 0.01, amsgrad, false, safeVersion: false);
        for (int step = 0; step < Steps / 2; step++) reference.Step(refOptimizer);
        using var resumed = new TinyProblem();
        resumed.CopyFrom(reference);
        using var safeOptimizer = Create(kind, resumed.Parameters, 0.01, amsgrad, false, safeVersion: true);
        safeOptimizer.load_state_dict(refOptimizer.state_dict());
        for (int step = Steps / 2; step < Steps; step++)
        {
            reference.Step(refOptimizer);
            resumed.Step(safeOptimizer);
        }
        AssertSameBits(reference, resumed);
    }

    private static OptimizerHelper Create(string kind, IList<Parameter> p, double wd, bool amsgrad, bool maximize, bool safeVersion) =>
        (kind, safeVersion) switch
        {
            ("adam", false) => new Adam(p, 1e-2, weight_decay: wd, amsgrad: amsgrad, maximize: maximize),
            ("adam", true) => new ScalarSafeAdam(p, 1e-2, weight_decay: wd, amsgrad: amsgrad, maximize: maximize),
            ("adamw", false) => new AdamW(p, 1e-2, weight_decay: wd, amsgrad: amsgrad, maximize: maximize),
            _ => new ScalarSafeAdamW(p, 1e-2, weight_decay: wd, amsgrad: amsgrad, maximize: maximize),
        };

    private static void AssertSameBits(TinyProblem expected, TinyProblem actual)
    {
        for (int i = 0; i < expected.Parameters.Count; i++)
        {
            var e = expected.Parameters[i].data<float>().ToArray();
            var a = actual.Parameters[i].data<float>().ToArray();
            Assert.Equal(e.Select(BitConverter.SingleToInt32Bits), a.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>
    /// Three parameter tensors under the loss sum(c * p^2 / 2) + sum(d * p) with c, d from fixed formulas that
    /// change each step, so the gradient is c * p + d. Only elementwise operations, which libtorch rounds the same
    /// way at any memory alignment (a matmul's blocking does not: the same run twice differed by 1 ulp).
    /// </summary>
    private sealed class TinyProblem : IDisposable
    {
        private readonly float[][] _start;
        private int _step;

        public List<Parameter> Parameters { get; } =
            [new Parameter(Fixed([8, 5], 0.31f)), new Parameter(Fixed([8], 0.17f)), new Parameter(Fixed([3, 8], 0.53f))];

        public TinyProblem() => _start = Parameters.Select(p => p.data<float>().ToArray()).ToArray();

        public void Step(optim.Optimizer optimizer)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            _step++;
            var loss = zeros(1).sum();
            foreach (var p in Parameters)
            {
                var c = Fixed(p.shape, 0.1f * _step).abs() + 0.5f;
                var d = Fixed(p.shape, 0.37f * _step);
                loss = loss + (c * p.square()).sum() * 0.5f + (d * p).sum();
            }
            loss.backward();
            optimizer.step();
        }

        public void CopyFrom(TinyProblem other)
        {
            using var _ = no_grad();
            for (int i = 0; i < Parameters.Count; i++) Parameters[i].copy_(other.Parameters[i]);
            _step = other._step;
        }

        public bool SameAsStart() => Parameters.Select((p, i) => p.data<float>().ToArray().SequenceEqual(_start[i])).All(s => s);

        private static Tensor Fixed(long[] shape, float phase) =>
            tensor(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => MathF.Sin(i * phase + phase) * 0.5f).ToArray(), shape);

        public void Dispose()
        {
            foreach (var p in Parameters) p.Dispose();
        }
    }
}
