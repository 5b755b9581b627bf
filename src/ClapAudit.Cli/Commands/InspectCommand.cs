using System.CommandLine;
using System.Text.Json;
using ClapAudit.Checkpoints;
using ClapAudit.Cli.Infrastructure;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit inspect CHECKPOINT_OR_FOLDER</c>: keys, shapes, dtypes, counts and the ClapAudit model the file fits.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("CHECKPOINT_OR_FOLDER") { Description = "A .pth/.bin/.pt (PyTorch zip or legacy container), a .safetensors file, or a Hugging Face model folder." };
        var json = CommonOptions.Json();
        var keys = new Option<bool>("--no-keys") { Description = "Print only the summary, not every key." };
        var command = new Command("inspect", "List a checkpoint's tensors (key, shape, dtype), its parameter count, and which model it fits: PANNs CNN14 (widths inferred), Hugging Face BERT, msclap CLAP.")
        {
            path, json, keys,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var info = CheckpointInspector.Inspect(parse.GetValue(path)!);
            string? jsonPath = parse.GetValue(json);
            if (jsonPath is not null)
            {
                string text = JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
                if (jsonPath == "-")
                {
                    ctx.Output.WriteLine(text);
                    return ExitCodes.Ok;
                }
                Common.AtomicFile.WriteAllText(jsonPath, text);
            }
            var o = ctx.Output;
            o.WriteLine($"{info.Path}: {info.Format} ({info.WeightsFile})");
            if (!parse.GetValue(keys))
            {
                int w = info.Tensors.Select(t => t.Key.Length).DefaultIfEmpty(10).Max();
                foreach (var t in info.Tensors)
                    o.WriteLine($"  {t.Key.PadRight(w)}  {(t.Shape.Length == 0 ? "scalar" : string.Join("x", t.Shape)),-16} {t.DType}");
            }
            o.WriteLine($"{info.Tensors.Count} tensors, {info.TotalElements:N0} values, {info.ParameterCount:N0} parameters (without BatchNorm statistics and front-end buffers)");
            foreach (var (k, v) in info.Metadata) o.WriteLine($"metadata: {k} = {v}");
            if (info.Fits.Count == 0) o.WriteLine("fits: no ClapAudit model recognised (not CNN14, BERT or msclap CLAP keys)");
            foreach (var f in info.Fits)
                o.WriteLine($"fits: {f.Model}: {f.Detail}: {(f.Fits ? "yes" : "no: " + f.Report)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
