using System.IO.Compression;
using ClapAudit.Common;
using ClapAudit.Training;
using ClapAudit.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary>
/// A ClapAudit checkpoint's model.pth and optimizer.pth are read back through the project's allow-listed unpickler
/// (the one published checkpoints go through), not TorchSharp.PyBridge's: the Adam state comes back bit for bit,
/// and an entry naming a forbidden global is refused by name.
/// </summary>
public class CheckpointEntryTests
{
    /// <summary>Two parameters under an elementwise loss (bitwise reproducible, unlike a matmul's blocking).</summary>
    private sealed class Quadratic : nn.Module
    {
        private readonly Parameter a = new(tensor(Enumerable.Range(0, 12).Select(i => MathF.Sin(i * 0.7f)).ToArray(), [3, 4]));
        private readonly Parameter b = new(tensor(Enumerable.Range(0, 5).Select(i => MathF.Cos(i * 0.3f)).ToArray(), [5]));

        public Quadratic() : base(nameof(Quadratic)) => RegisterComponents();

        public void Step(optim.Optimizer optimizer, int step)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = zeros(1).sum();
            foreach (var p in new[] { a, b })
            {
                var c = tensor(Enumerable.Range(0, (int)p.numel()).Select(i => 0.5f + MathF.Abs(MathF.Sin(i + step))).ToArray(), p.shape);
                loss = loss + (c * p.square()).sum() * 0.5f + (c.neg() * p).sum() * 0.3f;
            }
            loss.backward();
            optimizer.step();
        }

        public float[][] Values() => [a.data<float>().ToArray(), b.data<float>().ToArray()];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamStateSavedAndReadBackContinuesBitForBit(bool amsgrad)
    {
        using var dir = Fixtures.TempDir();
        string path = Path.Combine(dir.Path, "q.ckpt");
        using var reference = new Quadratic();
        using var refAdam = new ScalarSafeAdam(reference.parameters(), 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.01, amsgrad: amsgrad);
        for (int s = 0; s < 7; s++) reference.Step(refAdam, s);
        Checkpoint.SaveModule(path, reference, refAdam, new { format = "test" });

        // A fresh model and an optimizer built with other settings: the file restores weights, settings and moments.
        using var resumed = new Quadratic();
        using var adam = new ScalarSafeAdam(resumed.parameters(), 0.5, amsgrad: amsgrad);
        Checkpoint.LoadModule(path, resumed, adam);
        var g = (Adam.ParamGroup)adam.ParamGroups.Single();
        Assert.Equal((0.02, 0.8, 0.99, 1e-6, 0.01, amsgrad), (g.Options.LearningRate!.Value, g.Options.beta1!.Value, g.Options.beta2!.Value,
            g.Options.eps!.Value, g.Options.weight_decay!.Value, g.Options.amsgrad!.Value));
        for (int s = 7; s < 14; s++)
        {
            reference.Step(refAdam, s);
            resumed.Step(adam, s);
        }
        var want = reference.Values();
        var got = resumed.Values();
        for (int i = 0; i < want.Length; i++)
            Assert.Equal(want[i].Select(BitConverter.SingleToInt32Bits), got[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void AModelEntryNamingAForbiddenGlobalIsRefusedByName()
    {
        using var dir = Fixtures.TempDir();
        string path = Path.Combine(dir.Path, "hostile.ckpt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            zip.CreateEntry(Checkpoint.StateEntry).Open().Dispose();
            using var s = zip.CreateEntry(Checkpoint.ModelEntry).Open();
            s.Write(File.ReadAllBytes(Fixtures.Path("legacy", "forbidden.pth")));
        }
        using var model = new Quadratic();
        var e = Assert.Throws<ClapAuditException>(() => Checkpoint.LoadModule(path, model));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("'posix.system'", e.Message);
        Assert.Contains($"{path} [{Checkpoint.ModelEntry}]", e.Message);
    }
}
