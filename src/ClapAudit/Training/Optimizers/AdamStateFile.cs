using System.Globalization;
using ClapAudit.Checkpoints;
using ClapAudit.Checkpoints.Pickle;
using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Training.Optimizers;

/// <summary>One parameter group's settings in an Adam state dict (PyTorch's <c>param_groups</c> entry).</summary>
internal sealed record AdamGroupSettings(
    double LearningRate, double Beta1, double Beta2, double Eps, double WeightDecay, bool Amsgrad, bool Maximize, long[] Params);

/// <summary>
/// An Adam optimizer.pth (PyTorch's optimizer state-dict layout: <c>{"param_groups": [{lr, betas, eps, weight_decay,
/// amsgrad, maximize, params}], "state": {index: {step, exp_avg, exp_avg_sq, max_exp_avg_sq}}}</c>) read through the
/// project's safe reader (<see cref="CheckpointFile.ReadZip"/>), so that a ClapAudit checkpoint is unpickled by the
/// same allow-listed code as a published one, and applied to a <see cref="ScalarSafeAdam"/>. TorchSharp.PyBridge
/// still writes the file (its writer executes nothing read from disk).
/// </summary>
internal sealed class AdamStateFile : IDisposable
{
    private readonly StateDict _tensors;

    public string Source { get; }
    public IReadOnlyList<AdamGroupSettings> Groups { get; }

    private AdamStateFile(StateDict tensors, IReadOnlyList<AdamGroupSettings> groups, string source)
    {
        _tensors = tensors;
        Groups = groups;
        Source = source;
    }

    public static AdamStateFile Read(Stream stream, string source)
    {
        List<AdamGroupSettings>? groups = null;
        var tensors = CheckpointFile.ReadZip(stream, source, root => groups = ParseGroups(root, source));
        return new AdamStateFile(tensors, groups!, source);
    }

    private static List<AdamGroupSettings> ParseGroups(object? root, string source)
    {
        Guard.Data(root is PickleDict, $"{source}: the optimizer state is {SafeUnpickler.Describe(root)}, not a dict");
        var dict = (PickleDict)root!;
        Guard.Data(dict.TryGetValue("param_groups", out var pg) && pg is List<object?>,
            $"{source}: no param_groups list (not an optimizer state dict)");
        return ((List<object?>)pg!).Select((g, i) =>
        {
            Guard.Data(g is PickleDict, $"{source}: param_groups[{i}] is {SafeUnpickler.Describe(g)}, not a dict");
            var d = (PickleDict)g!;
            object? Get(string key)
            {
                Guard.Data(d.TryGetValue(key, out var v), $"{source}: param_groups[{i}] has no '{key}'");
                return v;
            }
            double Number(object? v, string key) => v switch
            {
                double x => x,
                long x => x,
                _ => throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: param_groups[{i}].{key} is {SafeUnpickler.Describe(v)}, not a number"),
            };
            var betas = Get("betas") as PickleTuple;
            Guard.Data(betas is { Count: 2 }, $"{source}: param_groups[{i}].betas is not a pair");
            var ids = Get("params") as List<object?>;
            Guard.Data(ids is not null && ids.All(x => x is long), $"{source}: param_groups[{i}].params is not a list of indices");
            return new AdamGroupSettings(Number(Get("lr"), "lr"), Number(betas![0], "betas[0]"), Number(betas[1], "betas[1]"),
                Number(Get("eps"), "eps"), Number(Get("weight_decay"), "weight_decay"), Get("amsgrad") is true,
                Get("maximize") is true, ids!.Select(x => (long)x!).ToArray());
        }).ToList();
    }

    /// <summary>The tensor <c>state.{index}.{name}</c>, or null when the file has none (e.g. max_exp_avg_sq without amsgrad).</summary>
    public Tensor? Tensor(long index, string name) =>
        _tensors.Tensors.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"state.{index}.{name}"), out var t) ? t : null;

    /// <summary>Copies one parameter's moments into its state tensors (same shape required) and returns its step.</summary>
    public long CopyMoments(long index, TorchSharp.Modules.Parameter parameter, Tensor exp_avg, Tensor exp_avg_sq, ref Tensor? max_exp_avg_sq, bool amsgrad)
    {
        var avg = Tensor(index, "exp_avg");
        var sq = Tensor(index, "exp_avg_sq");
        var step = Tensor(index, "step");
        if (avg is null && sq is null && step is null) return 0; // PyTorch leaves a parameter without gradient out
        Guard.Data(avg is not null && sq is not null && step is not null,
            $"{Source}: state {index} lacks one of step, exp_avg, exp_avg_sq");
        foreach (var (name, t) in new[] { ("exp_avg", avg!), ("exp_avg_sq", sq!) })
            Guard.Match(t.shape.SequenceEqual(parameter.shape),
                $"{Source}: state {index}.{name} has shape [{string.Join(", ", t.shape)}], the parameter [{string.Join(", ", parameter.shape)}]");
        using (no_grad())
        {
            exp_avg.copy_(avg!);
            exp_avg_sq.copy_(sq!);
            if (amsgrad && Tensor(index, "max_exp_avg_sq") is { } max)
            {
                if (max_exp_avg_sq is null) max_exp_avg_sq = max.clone();
                else max_exp_avg_sq.copy_(max);
            }
        }
        // PyTorch 1.12+ saves the step as a float tensor, earlier versions and TorchSharp as an integer one.
        using var asDouble = step!.to_type(ScalarType.Float64);
        return (long)Math.Round(asDouble.item<double>());
    }

    public void Dispose() => _tensors.Dispose();
}
