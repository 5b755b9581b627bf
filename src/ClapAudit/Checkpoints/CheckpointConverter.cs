using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>Which model's key names <c>convert</c> writes; <see cref="AsIs"/> keeps the file's own.</summary>
public enum ConvertTarget { AsIs, Cnn14, Bert, Clap }

/// <summary>What <c>convert</c> wrote.</summary>
public sealed record ConvertResult(
    string Input, string WeightsFile, string SourceFormat, string Output, int TensorCount, long Elements,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Any readable checkpoint (either torch.save container, safetensors, or a Hugging Face folder) to
/// safetensors, so later loads read a JSON header and raw bytes instead of a pickle. With a target
/// the keys are those ClapAudit loads: CNN14 without msclap's audio_encoder.base. or DataParallel's
/// module. prefix; BERT as a plain BertModel (bert. stripped, cls.* heads and position_ids dropped,
/// gamma/beta renamed); CLAP with msclap's tower names and the caption BERT's keys mapped the same way.
/// The checkpoint's metadata (PANNs' iteration, ...) and its source go into __metadata__.
/// </summary>
public static class CheckpointConverter
{
    public static ConvertResult Convert(string input, string output, ConvertTarget target, CancellationToken token = default)
    {
        string weights = Directory.Exists(input) ? HuggingFaceBert.WeightsFile(input) : input;
        Guard.FileExists(weights, "checkpoint");
        var format = CheckpointFile.Sniff(weights);
        using var file = CheckpointFile.Read(weights, token);
        var tensors = Select(file, target);
        var metadata = new Dictionary<string, string>(file.Metadata)
        {
            ["clapaudit.source"] = Path.GetFileName(Path.GetFullPath(weights)),
            ["clapaudit.source_format"] = CheckpointFile.Describe(format),
            ["clapaudit.keys"] = target.ToString().ToLowerInvariant(),
        };
        token.ThrowIfCancellationRequested();
        SafeTensorsWriter.Write(output, tensors, metadata);
        return new ConvertResult(input, weights, CheckpointFile.Describe(format), output, tensors.Count,
            tensors.Sum(kv => kv.Value.numel()), metadata);
    }

    /// <summary>The tensors under the target's key names, in the file's order; still owned by <paramref name="file"/>.</summary>
    public static List<KeyValuePair<string, Tensor>> Select(StateDict file, ConvertTarget target)
    {
        switch (target)
        {
            case ConvertTarget.AsIs:
                return file.Tensors.ToList();
            case ConvertTarget.Cnn14:
            {
                var (t, _) = Cnn14Checkpoint.SelectCnn14Keys(file);
                Guard.Match(t.ContainsKey("conv_block1.conv1.weight"),
                    $"{file.Source}: no CNN14 keys (conv_block1.conv1.weight, possibly under audio_encoder.base. or module.)");
                return t.ToList();
            }
            case ConvertTarget.Bert:
            {
                var t = HuggingFaceBert.MapKeys(file.Tensors);
                Guard.Match(t.ContainsKey("embeddings.word_embeddings.weight"),
                    $"{file.Source}: no BERT keys (embeddings.word_embeddings.weight, possibly under bert. or caption_encoder.base.)");
                return t.ToList();
            }
            case ConvertTarget.Clap:
                return MsclapCheckpoint.ClapKeys(file);
            default:
                throw new ClapAuditException(ErrorKind.InvalidSetting, $"unknown convert target {target}");
        }
    }
}
