using System.CommandLine;
using ClapAudit.Checkpoints;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit embed-text --bert FOLDER --out X.npy</c>: x_t ([CLS] final hidden state) for one text a line.</summary>
public static class EmbedTextCommand
{
    public static Command Create()
    {
        var bert = new Option<string>("--bert") { Description = "A Hugging Face BERT folder (config.json, vocab.txt, model.safetensors or pytorch_model.bin).", Required = true };
        var output = new Option<string>("--out") { Description = "The n x hidden float32 .npy to write.", Required = true };
        var maxLength = new Option<int?>("--max-length") { Description = "Truncate to this many tokens, [CLS] and [SEP] included (default: msclap's 100, or the model's max_position_embeddings if smaller)." };
        var file = new Option<string?>("--file") { Description = "Read the texts from this file instead of standard input." };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 32 };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var command = new Command("embed-text", "Embed one text a line with BERT in eval mode; writes x_t, the final hidden state of [CLS], as float32 .npy (one row per line, in order).")
        {
            bert, output, maxLength, file, batchSize, threads, device,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            int batch = parse.GetValue(batchSize);
            Guard.Positive(batch);
            int? requested = parse.GetValue(maxLength);
            Guard.Setting(requested is null or >= 2, $"--max-length must be at least 2, got {requested}");
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var dev = DeviceSelector.Parse(parse.GetValue(device)!);
            var texts = TextInput.ReadLines(parse.GetValue(file));
            using var loaded = HuggingFaceBert.Load(parse.GetValue(bert)!);
            int max = requested ?? Math.Min(BertTokenizer.DefaultMaxLength, loaded.Config.MaxPositionEmbeddings);
            Guard.Setting(max <= loaded.Config.MaxPositionEmbeddings, $"--max-length {max} exceeds the model's max_position_embeddings {loaded.Config.MaxPositionEmbeddings}");
            loaded.Model.to(dev);
            int hidden = loaded.Model.EmbeddingSize;
            var values = new float[texts.Count * hidden];
            using (no_grad())
            {
                for (int start = 0; start < texts.Count; start += batch)
                {
                    token.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var chunk = texts.Skip(start).Take(batch).ToList();
                    // Padding to the longest in the batch gives the same x_t as msclap's padding to 100: padded keys are masked.
                    var (ids, mask) = loaded.Tokenizer.EncodeBatch(chunk, max).ToTensors(dev);
                    var xt = loaded.Model.EmbedText(ids, mask).cpu().contiguous();
                    xt.data<float>().CopyTo(values.AsSpan(start * hidden, chunk.Count * hidden));
                }
            }
            Guard.AllFinite(values, hidden, "x_t");
            string outPath = parse.GetValue(output)!;
            NpyArray.WriteFloat32(outPath, values, texts.Count, hidden);
            ctx.Output.WriteLine($"wrote {texts.Count} x {hidden} text embeddings to {outPath}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
