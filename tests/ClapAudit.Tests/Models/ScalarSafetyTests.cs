using System.Reflection;
using ClapAudit.Models;
using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Tests.Models;

/// <summary>
/// Enforces the rule of <see cref="SafeScalars"/> on the compiled code of src (the core and the CLI): no Scalar
/// is left to TorchSharp 0.107's finalizer while libtorch may read it. Three ways one is: an implicit
/// primitive-to-Scalar conversion in our code; a call to a TorchSharp method that makes such a Scalar itself
/// (found by scanning TorchSharp's IL, transitively: <c>a + b</c>, <c>add(t)</c>, <c>square()</c>, <c>arange(n)</c>,
/// the optimizers' <c>step</c>, <c>BatchNorm.forward</c>); a TorchSharp module or optimizer whose
/// <c>forward</c>/<c>step</c> makes one, created by our code and not overridden.
/// </summary>
public class ScalarSafetyTests
{
    private static readonly Assembly[] Src = [typeof(SafeScalars).Assembly, typeof(global::ClapAudit.Cli.Program).Assembly];
    private static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;

    // Methods allowed to break the rule, with the reason. Empty: every site in src was fixable.
    private static readonly HashSet<string> Allowlist = [];

    private static readonly Lazy<HashSet<MethodBase>> Creators = new(FindCreators);

    [Fact]
    public void SrcHasNoImplicitScalarConversion()
    {
        var sites = Findings(c => IsImplicit(c) ? $"implicit Scalar from {c.GetParameters()[0].ParameterType.Name}" : null);
        Assert.True(sites.Count == 0, "implicit Scalar conversions (use SafeScalars or `using var s = v.ToScalar()`):\n" + string.Join("\n", sites));
    }

    [Fact]
    public void SrcDisposesEveryScalarItMakes()
    {
        // A ToScalar() outside a static constructor must be disposed in the same method (a `using var`).
        var sites = new List<string>();
        foreach (var m in Src.SelectMany(IlCallScanner.MethodsOf))
        {
            if (m is ConstructorInfo { IsStatic: true }) continue;
            var callees = IlCallScanner.Callees(m).ToList();
            if (callees.Any(IsToScalar) && !callees.Any(IsDispose) && !Allowlist.Contains(IlCallScanner.Describe(m)))
                sites.Add(IlCallScanner.Describe(m));
        }
        Assert.True(sites.Count == 0, "ToScalar() without a Dispose in the same method:\n" + string.Join("\n", sites));
    }

    [Fact]
    public void SrcCallsNoTorchSharpMethodThatMakesAFinalizedScalar()
    {
        var sites = Findings(c => c.Module == TorchSharpAssembly.ManifestModule && Creators.Value.Contains(Definition(c))
            ? $"calls {IlCallScanner.Describe(c)}, which makes a Scalar left to the finalizer" : null);
        Assert.True(sites.Count == 0, "TorchSharp calls that make an unheld Scalar (use SafeScalars):\n" + string.Join("\n", sites));
    }

    [Fact]
    public void SrcCreatesNoTorchSharpModuleOrOptimizerWhoseForwardOrStepMakesAFinalizedScalar()
    {
        var sites = new List<string>();
        foreach (var m in Src.SelectMany(IlCallScanner.MethodsOf))
        {
            foreach (var c in IlCallScanner.Callees(m))
            {
                if (c.Module != TorchSharpAssembly.ManifestModule) continue;
                Type? made = c switch
                {
                    MethodInfo f => f.ReturnType,
                    // A derived type's constructor chaining to its TorchSharp base is checked below, not here.
                    ConstructorInfo k when !(m is ConstructorInfo && m.DeclaringType!.IsSubclassOf(k.DeclaringType!)) => k.DeclaringType,
                    _ => null,
                };
                if (made is not null && UnsafeEntryPoint(made) is { } entry && !Allowlist.Contains(IlCallScanner.Describe(m)))
                    sites.Add($"{IlCallScanner.Describe(m)}: creates {made.Name}, whose {entry} makes an unheld Scalar");
            }
        }
        // Our subclasses of TorchSharp types must override every such entry point.
        foreach (var t in Src.SelectMany(a => a.GetTypes()))
            if (t.BaseType?.Assembly == TorchSharpAssembly && UnsafeEntryPoint(t) is { } entry)
                sites.Add($"{t.FullName} inherits {entry} without overriding it");
        Assert.True(sites.Count == 0, "modules/optimizers with unheld Scalars (use ScalarSafeBatchNorm2d, ScalarSafeAdam, ScalarSafeAdamW):\n" + string.Join("\n", sites));
    }

    [Fact]
    public void DetectorFindsTheKnownUnsafeTorchSharpMembers()
    {
        // Guards the scanner itself: these make implicit Scalars in TorchSharp 0.107 (read in its source).
        var creators = Creators.Value.Select(IlCallScanner.Describe).ToHashSet();
        Assert.Contains("TorchSharp.torch+Tensor.op_Addition(Tensor, Tensor)", creators);
        Assert.Contains("TorchSharp.torch+Tensor.square()", creators);
        Assert.Contains("TorchSharp.torch+Tensor.add_(Tensor)", creators);
        Assert.Contains("TorchSharp.Modules.BatchNorm.forward(Tensor)", creators);
        Assert.Contains("TorchSharp.Modules.Adam.step(Func`1)", creators);
        Assert.Contains("TorchSharp.Modules.AdamW.step(Func`1)", creators);
        Assert.Contains("TorchSharp.TensorExtensionMethods.ToDouble(Tensor)", creators); // ToScalar().ToDouble(), the Scalar unheld
        Assert.Equal("step(Func`1)", UnsafeEntryPoint(typeof(TorchSharp.Modules.Adam)));
        Assert.Null(UnsafeEntryPoint(typeof(ClapAudit.Training.Optimizers.ScalarSafeAdam)));
        // ...and an implicit conversion written here is seen.
        var canary = typeof(ScalarSafetyTests).GetMethod(nameof(ImplicitCanary), BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Contains(IlCallScanner.Callees(canary), IsImplicit);
        // The safe forms are not creators.
        Assert.DoesNotContain("TorchSharp.torch+Tensor.add(Tensor, Scalar)", creators);
        Assert.DoesNotContain("TorchSharp.torch+Tensor.mul(Scalar)", creators);
    }

    private static Tensor ImplicitCanary(Tensor x) => x.mul(0.5);

    private static List<string> Findings(Func<MethodBase, string?> judge)
    {
        var sites = new List<string>();
        foreach (var m in Src.SelectMany(IlCallScanner.MethodsOf))
        {
            if (Allowlist.Contains(IlCallScanner.Describe(m))) continue;
            foreach (var c in IlCallScanner.Callees(m))
                if (judge(c) is { } why) sites.Add($"{IlCallScanner.Describe(m)}: {why}");
        }
        return sites.Distinct().ToList();
    }

    /// <summary>The public forward/step a type runs (its own or inherited) if it is a TorchSharp creator.</summary>
    private static string? UnsafeEntryPoint(Type type)
    {
        foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            if (m.Name is "forward" or "step" && m.Module == TorchSharpAssembly.ManifestModule && Creators.Value.Contains(m))
                return $"{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
        return null;
    }

    /// <summary>
    /// TorchSharp methods that make a Scalar they leave to the finalizer: those that convert implicitly, or call
    /// ToScalar() without disposing in the same body, and (transitively) every TorchSharp method calling one.
    /// </summary>
    private static HashSet<MethodBase> FindCreators()
    {
        var graph = IlCallScanner.MethodsOf(TorchSharpAssembly).Distinct()
            .ToDictionary(m => m, m => IlCallScanner.Callees(m).Select(Definition).ToList());
        var creators = graph.Where(kv => kv.Value.Any(IsImplicit) || (kv.Value.Any(IsToScalar) && !kv.Value.Any(IsDispose)))
            .Select(kv => kv.Key).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (m, callees) in graph)
                if (!creators.Contains(m) && callees.Any(creators.Contains)) grew = creators.Add(m) | grew;
        }
        return creators;
    }

    private static MethodBase Definition(MethodBase m) => m is MethodInfo { IsGenericMethod: true } g ? g.GetGenericMethodDefinition() : m;
    private static bool IsImplicit(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit";
    // A primitive's ToScalar() or a tensor's (its item as a Scalar, behind Tensor.ToDouble()/ToSingle()/...).
    private static bool IsToScalar(MethodBase m) =>
        m.Name == "ToScalar" && (m.DeclaringType == typeof(ScalarExtensionMethods) || m.DeclaringType == typeof(Tensor));
    private static bool IsDispose(MethodBase m) =>
        m.Name == "Dispose" && (m.DeclaringType == typeof(Scalar) || m.DeclaringType == typeof(IDisposable));
}
