using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using ClapAudit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Evaluation;

/// <summary>
/// Loads a CLAP model for zero-shot evaluation and embedding export from (a) a ClapAudit run
/// directory (checkpoints/best.ckpt, else last.ckpt) or .ckpt file, which carries its backbone
/// configs, front-end and preprocessing (tokenizer files from the run's <c>text/</c> folder or
/// <c>bertFolder</c>), or (b) msclap's <c>CLAP_weights_2022.pth</c> (keys under <c>model</c>:
/// audio_encoder.base.*, audio_encoder.projection.*, caption_encoder.base.*,
/// caption_encoder.projection.*, logit_scale), which needs <c>bertFolder</c> for config.json and
/// vocab.txt. msclap checkpoints get msclap's preprocessing: 44.1 kHz, 5 s, repeat-padding, no
/// amplitude normalisation; channels are averaged (msclap concatenates them, see docs/cli.md).
/// </summary>
public static class ClapModelLoader
{
    /// <summary>msclap 2022's text_len.</summary>
    public const int MsclapTextLength = 100;

    /// <summary>msclap 2022's waveform preprocessing (its weights were trained with it).</summary>
    public static AudioPreprocessing MsclapPreprocessing { get; } = new()
    {
        SampleRate = 44100,
        DurationSeconds = 5,
        Pad = PadMode.Repeat,
        Normalize = false,
        Channels = ChannelMode.Mean,
    };

    public static LoadedClap Load(string runDirOrCheckpoint, string? bertFolder = null, string device = "cpu",
        MelFilterSource melFilters = MelFilterSource.Computed)
    {
        var dev = DeviceSelector.Parse(device);
        string path = runDirOrCheckpoint;
        if (Directory.Exists(path))
        {
            var run = new RunDirectory(path);
            path = File.Exists(run.BestCheckpoint) ? run.BestCheckpoint
                : File.Exists(run.LastCheckpoint) ? run.LastCheckpoint
                : throw new ClapAuditException(ErrorKind.NotFound, $"{runDirOrCheckpoint}: a run directory without checkpoints/best.ckpt or checkpoints/last.ckpt");
        }
        Guard.FileExists(path, "model checkpoint");
        var loaded = CheckpointFile.Sniff(path) is CheckpointFormat.TorchZip or CheckpointFormat.TorchLegacy && !IsClapAuditCheckpoint(path)
            ? LoadMsclap(path, bertFolder, dev, melFilters)
            : LoadClapAudit(path, bertFolder, dev);
        loaded.Model.to(dev);
        loaded.FrontEnd.to(dev);
        loaded.Model.eval();
        loaded.FrontEnd.eval();
        return loaded;
    }

    private static bool IsClapAuditCheckpoint(string path)
    {
        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            return zip.GetEntry(Checkpoint.StateEntry) is not null;
        }
        catch (InvalidDataException) { return false; }
    }

    private static LoadedClap LoadClapAudit(string path, string? bertFolder, Device dev)
    {
        var state = Checkpoint.ReadState(path);
        var info = state.Backbones ?? throw new ClapAuditException(ErrorKind.Mismatch,
            $"{path}: the checkpoint holds no backbone configurations (made before ClapAudit stored them); it cannot be rebuilt on its own");
        string textFolder = bertFolder ?? FindTextFolder(path, info.TextFolder);
        var tokenizer = BertTokenizer.Load(textFolder);
        var cnn = new Cnn14(info.Cnn14);
        var bert = new BertModel(info.Bert);
        var model = new ClapModel(cnn, bert, new ClapModelOptions
        {
            ProjectionDim = state.Model.ProjectionDim,
            ProjectionDropout = state.Model.ProjectionDropout,
            LogitClamp = state.Model.LogitClamp,
        });
        try
        {
            Checkpoint.LoadWeights(path, model);
            var p = state.Preprocessing;
            var preprocessing = new AudioPreprocessing
            {
                SampleRate = p.SampleRate,
                DurationSeconds = p.DurationSeconds,
                Normalize = p.ZNormalize,
                Pad = p.Padding == "repeat" ? PadMode.Repeat : PadMode.Zero,
                Channels = ChannelMode.Mean,
            };
            var frontEnd = new LogMelSpectrogram(info.LogMel, info.MelFilters == MelFilterSource.Checkpoint ? info.MelFilterValues : null);
            return new LoadedClap(model, frontEnd, tokenizer, preprocessing, state.Recipe.TextLength, dev, $"{path} (ClapAudit checkpoint, epoch {state.Epoch})");
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>RUN/text beside RUN/checkpoints/x.ckpt, or text/ beside the file.</summary>
    private static string FindTextFolder(string checkpoint, string name)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        foreach (var candidate in new[] { Path.Combine(dir, "..", name), Path.Combine(dir, name) })
            if (File.Exists(Path.Combine(candidate, "vocab.txt"))) return Path.GetFullPath(candidate);
        throw new ClapAuditException(ErrorKind.NotFound,
            $"{checkpoint}: no {name}/vocab.txt in its run directory; pass --bert FOLDER with the BERT it was trained with");
    }

    private static LoadedClap LoadMsclap(string path, string? bertFolder, Device dev, MelFilterSource melFilters)
    {
        using var file = CheckpointFile.Read(path);
        if (!MsclapCheckpoint.IsMsclap(file))
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"{path}: neither a ClapAudit checkpoint nor an msclap CLAP checkpoint (no {Cnn14Checkpoint.MsclapPrefix}conv_block1.* keys)");
        if (bertFolder is null)
            throw new ClapAuditException(ErrorKind.InvalidSetting,
                $"{path}: an msclap checkpoint needs --bert FOLDER (a bert-base-uncased folder for config.json and vocab.txt)");
        Guard.DirectoryExists(bertFolder, "BERT model folder");
        var config = BertConfig.Load(Path.Combine(bertFolder, "config.json"));
        var tokenizer = BertTokenizer.Load(bertFolder);

        var warnings = new List<string>();
        long[] proj = file.Shape("audio_encoder.projection.linear1.weight")
            ?? throw new ClapAuditException(ErrorKind.Mismatch, $"{path}: no audio_encoder.projection.linear1.weight");
        var cnnLoad = Cnn14Checkpoint.Load(file, strict: true);
        var cnn = cnnLoad.Model;
        BertModel bert;
        try { (bert, _) = HuggingFaceBert.Create(file.Tensors, config, strict: true, path); }
        catch { cnn.Dispose(); throw; }
        var model = new ClapModel(cnn, bert, new ClapModelOptions { ProjectionDim = (int)proj[0] });
        try
        {
            // Everything but the front-end buffers, strictly: backbones, projectors, logit_scale.
            var tensors = MsclapCheckpoint.ClapKeys(file).Where(kv => !MsclapCheckpoint.IsFrontEndBuffer(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            StateDictLoader.Load(model, tensors, strict: true, path, "msclap CLAP");

            var logMel = new LogMelOptions
            {
                MelBins = cnn.Options.MelBins,
                WindowSize = cnnLoad.FrontEnd.MelFilters is { } m && m.Shape.Length == 2 ? (int)(m.Shape[0] - 1) * 2 : 1024,
            };
            var filters = ClapTraining.CheckFrontEnd(cnnLoad.FrontEnd, logMel, melFilters, path, warnings.Add);
            var frontEnd = new LogMelSpectrogram(logMel, filters);
            int textLength = Math.Min(MsclapTextLength, config.MaxPositionEmbeddings);
            return new LoadedClap(model, frontEnd, tokenizer, MsclapPreprocessing, textLength, dev, $"{path} (msclap CLAP checkpoint)", warnings);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
