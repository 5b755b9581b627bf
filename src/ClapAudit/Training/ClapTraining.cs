using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Models;
using ClapAudit.Text;
using static TorchSharp.torch;

namespace ClapAudit.Training;

/// <summary>
/// One CLAP training run as <c>clapaudit train</c> describes it.
/// </summary>
/// <param name="ManifestDir">Folder with train.jsonl and val.jsonl (the pair manifest).</param>
/// <param name="BertFolder">A Hugging Face BERT folder (config.json, vocab.txt, weights).</param>
/// <param name="Cnn14Path">A PANNs/msclap CNN14 file; null: random initialisation (the paper's "none" pre-training).</param>
/// <param name="RunDirectory">run.json, log.csv, checkpoints/, text/; an existing run is resumed.</param>
/// <param name="Recipe">The settings (validated by <see cref="ClapTraining.Run"/>).</param>
public sealed record ClapTrainJob(string ManifestDir, string BertFolder, string? Cnn14Path, string RunDirectory, TrainingRecipe Recipe)
{
    /// <summary>CNN14 shape for random init; null: the full PANNs size with the recipe's mel bins.</summary>
    public Cnn14Options? RandomInit { get; init; }
    /// <summary>Log-mel filters computed for the recipe, or the CNN14 checkpoint's own melW.</summary>
    public MelFilterSource MelFilters { get; init; } = MelFilterSource.Computed;
    /// <summary>Recorded in run.json; null: looked up from the .git above the program.</summary>
    public string? GitCommit { get; init; }
}

/// <summary>
/// Wires a <see cref="ClapTrainJob"/> together: manifest to <see cref="TrainingItem"/>s, audio
/// loading (decode, resample, random crop from the pipeline's seeded <see cref="Random"/>, pad,
/// z-normalise), tokenising (padded to text_length), BERT from the HF folder, CNN14 from a file or
/// random init, the recipe's log-mel front-end, <see cref="ClapModel"/>, then <see cref="Trainer"/>.
/// </summary>
public static class ClapTraining
{
    /// <summary>Files of a Hugging Face folder copied into the run so the checkpoint needs no external tokenizer.</summary>
    public static readonly string[] TextFiles = ["vocab.txt", "config.json", "tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"];

    public static TrainingResult Run(ClapTrainJob job, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var recipe = job.Recipe.Validate();
        Guard.NotAFile(job.RunDirectory, "run directory (--out)");
        var train = Items(PairManifest.Read(job.ManifestDir, "train"));
        var val = Items(PairManifest.Read(job.ManifestDir, "val"));
        Guard.DirectoryExists(job.BertFolder, "BERT model folder");
        if (job.Cnn14Path is not null) Guard.FileExists(job.Cnn14Path, "CNN14 checkpoint");
        DeviceSelector.SetThreads(recipe.Threads);

        // Initialisation (random CNN14, projectors, logit scale) is a function of the seed.
        manual_seed(DeterministicSeed.Torch(recipe.Seed, SeedStream.ClapInit, 0));
        using var bert = HuggingFaceBert.Load(job.BertFolder);
        Guard.Setting(recipe.TextLength <= bert.Config.MaxPositionEmbeddings,
            $"recipe key text_length: {recipe.TextLength} exceeds the BERT's max_position_embeddings {bert.Config.MaxPositionEmbeddings} ({job.BertFolder})");

        var logMel = recipe.LogMelOptions();
        Cnn14 cnn;
        float[]? melFilters = null;
        if (job.Cnn14Path is null)
        {
            cnn = new Cnn14(recipe.AudioTraining(job.RandomInit ?? new Cnn14Options()) with { MelBins = recipe.MelBins });
        }
        else
        {
            var loaded = Cnn14Checkpoint.Load(job.Cnn14Path, strict: true, template: recipe.AudioTraining(new Cnn14Options()));
            cnn = loaded.Model;
            melFilters = CheckFrontEnd(loaded.FrontEnd, logMel, job.MelFilters, job.Cnn14Path, progress);
        }
        try
        {
            Guard.Match(cnn.Options.MelBins == recipe.MelBins,
                $"{job.Cnn14Path}: CNN14 expects {cnn.Options.MelBins} mel bins but the recipe's mel_bins is {recipe.MelBins}; set mel_bins={cnn.Options.MelBins}");
            string textFolder = CopyTextFiles(job.BertFolder, job.RunDirectory);
            var info = new BackboneInfo
            {
                Cnn14 = cnn.Options,
                Bert = bert.Model.Config,
                LogMel = logMel,
                MelFilters = melFilters is null ? MelFilterSource.Computed : MelFilterSource.Checkpoint,
                MelFilterValues = melFilters,
                TextFolder = textFolder,
                Cnn14Source = job.Cnn14Path is null ? "none" : Path.GetFileName(job.Cnn14Path),
                BertSource = Path.GetFileName(Path.GetFullPath(job.BertFolder).TrimEnd(Path.DirectorySeparatorChar)),
            };
            using var frontEnd = new LogMelSpectrogram(logMel, melFilters);
            using var model = new ClapModel(cnn, bert.Model, recipe.ModelOptions());
            model.InitializeProjectors(DeterministicSeed.Torch(recipe.Seed, SeedStream.ClapInit, 1));
            var preprocessing = recipe.AudioPreprocessing();
            var tokenizer = bert.Tokenizer;
            float[] LoadAudio(TrainingItem item, Random rng) => recipe.RandomCrop
                ? AudioPreprocessor.Load(item.Audio, preprocessing, null, rng)
                : AudioPreprocessor.Load(item.Audio, preprocessing, 0, null);
            (long[], long[]) Tokenize(string caption)
            {
                var b = tokenizer.EncodeBatch([caption], recipe.TextLength, TokenPadding.MaxLength);
                return (b.InputIds, b.AttentionMask);
            }
            var data = new PairPipeline(train, val, LoadAudio, Tokenize, PipelineOptions.FromRecipe(recipe), progress);
            var trainer = new Trainer(model, frontEnd, data, recipe, job.RunDirectory, progress, job.GitCommit, info)
            {
                Inputs = Inputs(job),
                CalibrateAudioNorm = job.Cnn14Path is null ? recipe.RandomInitNormBatches : 0,
            };
            return trainer.Train(ct);
        }
        finally
        {
            cnn.Dispose();
        }
    }

    /// <summary>The files whose content makes the run what it is; a resume on other content is refused.</summary>
    private static List<RunInput> Inputs(ClapTrainJob job)
    {
        var inputs = new List<RunInput>
        {
            RunInput.Of("manifest", job.ManifestDir,
                new[] { "train", "val" }.Select(s => Path.GetFileName(PairManifest.PathFor(job.ManifestDir, s)))),
            RunInput.Of("bert", job.BertFolder, [.. TextFiles, "model.safetensors", "pytorch_model.bin"]),
        };
        if (job.Cnn14Path is not null) inputs.Add(RunInput.Of("cnn14", job.Cnn14Path));
        return inputs;
    }

    private static List<TrainingItem> Items(IReadOnlyList<AudioTextPair> pairs) =>
        pairs.Select(p => new TrainingItem(p.Id, p.AudioPath, p.Caption)).ToList();

    /// <summary>Warns when the checkpoint's STFT/mel buffers differ from the recipe's; returns melW when the job asks for it.</summary>
    public static float[]? CheckFrontEnd(Cnn14FrontEndBuffers buffers, LogMelOptions logMel, MelFilterSource source, string path,
        Action<string>? warn)
    {
        if (!buffers.IsEmpty)
        {
            var cmp = FrontEndCheck.Compare(logMel,
                buffers.StftReal?.Values, buffers.StftReal?.Shape.Select(d => (int)d).ToArray(),
                buffers.StftImag?.Values,
                buffers.MelFilters?.Values, buffers.MelFilters?.Shape.Select(d => (int)d).ToArray());
            if (cmp.Warning is not null)
                warn?.Invoke($"{path}: {cmp.Warning}" + (source == MelFilterSource.Checkpoint ? " (using the checkpoint's filters as asked)" : ""));
        }
        if (source == MelFilterSource.Computed) return null;
        var melW = buffers.MelFilters ?? throw new ClapAuditException(ErrorKind.Mismatch,
            $"{path}: --mel-filters checkpoint, but the file has no {Cnn14FrontEndBuffers.MelFiltersKey}");
        Guard.Match(melW.Shape.Length == 2 && melW.Shape[0] == logMel.FftBins && melW.Shape[1] == logMel.MelBins,
            $"{path}: {Cnn14FrontEndBuffers.MelFiltersKey} has shape [{string.Join(", ", melW.Shape)}], expected [{logMel.FftBins}, {logMel.MelBins}] for window {logMel.WindowSize} and {logMel.MelBins} mels");
        return melW.Values;
    }

    private static float[]? CheckFrontEnd(Cnn14FrontEndBuffers buffers, LogMelOptions logMel, MelFilterSource source, string path,
        IProgress<TrainingProgress>? progress) =>
        CheckFrontEnd(buffers, logMel, source, path,
            progress is null ? null : m => progress.Report(new TrainingProgress { Event = TrainingEvent.Warning, Message = m }));

    /// <summary>Copies the tokenizer and config files into RUN/text (once) and returns the folder's name.</summary>
    private static string CopyTextFiles(string bertFolder, string runDirectory)
    {
        const string name = "text";
        string target = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(target);
        foreach (var file in TextFiles)
        {
            string src = Path.Combine(bertFolder, file), dst = Path.Combine(target, file);
            if (File.Exists(src) && !File.Exists(dst))
                AtomicFile.Write(dst, s => { using var f = File.OpenRead(src); f.CopyTo(s); });
        }
        return name;
    }
}
