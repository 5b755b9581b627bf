using System.CommandLine;
using ClapAudit.Checkpoints;
using ClapAudit.Cli.Infrastructure;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit convert IN OUT.safetensors [--model cnn14|bert|clap]</c>: any readable checkpoint to safetensors.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("IN")
        {
            Description = "A .pth/.bin/.pt (PyTorch zip or legacy container), a .safetensors file, or a Hugging Face model folder.",
        };
        var output = new Argument<string>("OUT") { Description = "The safetensors file to write (written atomically)." };
        var model = new Option<string>("--model")
        {
            Description = "Write the key names this ClapAudit model loads: cnn14 (PANNs), bert (a plain BertModel) or clap " +
                          "(msclap); without it the file's own keys are kept.",
        };
        model.AcceptOnlyFromAmong("cnn14", "bert", "clap");
        var command = new Command("convert",
            "Convert a checkpoint to safetensors (tensors with mapped key names, the checkpoint's metadata in __metadata__), " +
            "so later loads read no pickle.")
        {
            input, output, model,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var target = parse.GetValue(model) switch
            {
                "cnn14" => ConvertTarget.Cnn14,
                "bert" => ConvertTarget.Bert,
                "clap" => ConvertTarget.Clap,
                _ => ConvertTarget.AsIs,
            };
            var r = CheckpointConverter.Convert(parse.GetValue(input)!, parse.GetValue(output)!, target, token);
            ctx.Output.WriteLine($"{r.WeightsFile} ({r.SourceFormat}) -> {r.Output}: {r.TensorCount} tensors, {r.Elements:N0} values");
            foreach (var (k, v) in r.Metadata) ctx.Output.WriteLine($"metadata: {k} = {v}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
