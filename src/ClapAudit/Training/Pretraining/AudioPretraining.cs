using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Audio;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Models;
using ClapAudit.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Training.Pretraining;

/// <summary>
/// Pre-trains CNN14 on AudioSet-style multi-label data as PANNs does: binary cross-entropy on the
/// clip-wise sigmoid output, Adam (amsgrad), SpecAugment and mixup inside the model (log-mels of
/// consecutive clip pairs mixed after bn0 and SpecAugment, targets mixed with the same lambdas).
/// With <see cref="PretrainJob.CleanAgainstEsc50Dir"/> every clip carrying an ESC-50 class label
/// is removed first (<see cref="LeakageFilter.FilterAudioSet"/>); all ontology classes stay outputs,
/// so the removed ones are only ever trained as negatives and fc_audioset keeps the ontology's size.
/// Run directory, checkpoints, resume and cancellation behave as <see cref="Trainer"/>'s.
/// </summary>
public static class AudioPretraining
{
    public const string LogHeader = "epoch,step,train_loss,val_loss,val_map,lr,seconds";
    public const string LeakageReportFile = "leakage.json";
    public const string SplitFile = "split.json";

    /// <summary>Recipe keys that may change when a run resumes.</summary>
    public static readonly IReadOnlySet<string> ResumableKeys = new HashSet<string>
    {
        "max_epochs", "workers", "prefetch_batches", "checkpoint_every", "threads", "device", "early_stopping_patience",
    };

    public static PretrainResult Run(PretrainJob job, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var recipe = job.Recipe.Validate();
        var run = new RunDirectory(job.RunDirectory);
        var data = PrepareData(job, recipe, run);
        using var session = new Session(job, recipe, run, data, progress) { Inputs = Inputs(job) };
        return session.Run(ct);
    }

    /// <summary>
    /// The files whose content makes the run what it is (run.json keeps their paths and hashes; a resume on other
    /// content is refused): the AudioSet folder's class list and segment CSVs, and for a clean run the ESC-50
    /// metadata whose classes were removed. The audio itself is not hashed (its clips are counted on resume).
    /// </summary>
    internal static List<RunInput> Inputs(PretrainJob job)
    {
        var options = job.AudioSet ?? new AudioSetOptions();
        string folder = Path.GetFullPath(job.AudioSetDir);
        var segments = options.SegmentFiles
            ?? Directory.GetFiles(folder, "*_segments.csv").Select(f => Path.GetFileName(f)).ToArray();
        var inputs = new List<RunInput> { RunInput.Of("audioset", folder, [options.OntologyFile, .. segments]) };
        if (job.CleanAgainstEsc50Dir is { } esc) inputs.Add(RunInput.Of("esc50", esc, [Path.Combine("meta", "esc50.csv")]));
        return inputs;
    }

    // ------------------------------------------------------------------ data

    internal sealed record PreparedData(
        IReadOnlyList<AudioSetClass> Classes, IReadOnlyList<LabelledClip> Train, IReadOnlyList<LabelledClip> Validation,
        int RemovedClips, IReadOnlyList<AudioSetLabelRemoval> RemovedLabels, JsonObject LeakageReport);

    internal static PreparedData PrepareData(PretrainJob job, PretrainRecipe recipe, RunDirectory run)
    {
        var dataset = AudioSetReader.Read(job.AudioSetDir, job.AudioSet);
        IReadOnlyList<AudioSetClip> kept = dataset.Clips;
        int removedClips = 0;
        IReadOnlyList<AudioSetLabelRemoval> removedLabels = [];
        JsonObject report;
        if (job.CleanAgainstEsc50Dir is { } esc)
        {
            var esc50 = Esc50Reader.Read(esc, new Esc50Options(CheckAudio: false));
            var result = LeakageFilter.FromEsc50(esc50, job.Filter).FilterAudioSet(dataset);
            kept = result.Kept;
            removedClips = result.Removed.Count;
            removedLabels = result.RemovedLabels;
            report = result.ToJson();
            report["esc50"] = esc50.Folder;
        }
        else report = new JsonObject { ["clean"] = false, ["clips"] = new JsonObject { ["before"] = dataset.Clips.Count, ["removed"] = 0, ["after"] = dataset.Clips.Count } };
        report["audioset"] = dataset.Folder;
        report["missing_audio"] = dataset.MissingAudio;
        Directory.CreateDirectory(run.Path);
        AtomicFile.WriteAllText(Path.Combine(run.Path, LeakageReportFile), report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var clips = kept
            .Select(c => new LabelledClip(c.YtId, c.AudioPath,
                c.Mids.Select(m => dataset.Ontology.ByMid(m)?.Index ?? -1).Where(i => i >= 0).Distinct().Order().ToArray()))
            .Where(c => c.Labels.Length > 0)
            .OrderBy(c => c.Id, StringComparer.Ordinal).ThenBy(c => c.AudioPath, StringComparer.Ordinal)
            .ToList();
        if (clips.Count == 0)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{job.AudioSetDir}: no labelled clip with audio left to pre-train on" +
                (removedClips > 0 ? $" ({removedClips} removed by the leakage filter)" : ""));
        // Seeded split of the sorted clips: the same clips validate on every rerun.
        var rng = DeterministicSeed.Random(recipe.Seed, SeedStream.PretrainSplit);
        var order = Enumerable.Range(0, clips.Count).ToArray();
        rng.Shuffle(order);
        int nVal = recipe.ValidationFraction <= 0 || clips.Count < 2 ? 0
            : Math.Clamp((int)Math.Ceiling(recipe.ValidationFraction * clips.Count), 1, clips.Count - 1);
        var val = order.Take(nVal).Order().Select(i => clips[i]).ToList();
        var train = order.Skip(nVal).Order().Select(i => clips[i]).ToList();
        return new PreparedData(dataset.Ontology.Classes, train, val, removedClips, removedLabels, report);
    }

    /// <summary>The epoch's batches of training clip indices (shuffled, or class-balanced draws), seeded by (seed, epoch).</summary>
    internal static List<int[]> TrainBatches(IReadOnlyList<LabelledClip> train, int classCount, PretrainRecipe r, int epoch)
    {
        var rng = DeterministicSeed.Random(r.Seed, SeedStream.PretrainOrder, epoch);
        int[] order;
        if (r.BalancedSampling)
        {
            var byClass = new List<int>[classCount];
            for (int i = 0; i < train.Count; i++)
                foreach (int c in train[i].Labels) (byClass[c] ??= []).Add(i);
            var present = byClass.Select((l, c) => (l, c)).Where(x => x.l is { Count: > 0 }).Select(x => x.l).ToArray();
            order = new int[train.Count];
            for (int i = 0; i < order.Length; i++)
            {
                var members = present[rng.Next(present.Length)];
                order[i] = members[rng.Next(members.Count)];
            }
        }
        else
        {
            order = Enumerable.Range(0, train.Count).ToArray();
            rng.Shuffle(order);
        }
        int per = r.ClipsPerStep;
        var batches = new List<int[]>();
        for (int i = 0; i < order.Length; i += per)
        {
            var b = order.AsSpan(i, Math.Min(per, order.Length - i)).ToArray();
            // Mixup pairs consecutive clips: an odd tail loses its last clip.
            if (r.Mixup && b.Length % 2 == 1) b = b[..^1];
            if (b.Length >= (r.Mixup ? 2 : 1)) batches.Add(b);
        }
        return batches;
    }

    internal static List<int[]> ValidationBatches(int count, int batchSize)
    {
        var batches = new List<int[]>();
        for (int i = 0; i < count; i += batchSize) batches.Add(Enumerable.Range(i, Math.Min(batchSize, count - i)).ToArray());
        return batches;
    }

    // ------------------------------------------------------------------ the run

    private sealed class Session : IDisposable
    {
        private readonly PretrainJob _job;
        private readonly PretrainRecipe _r;
        private readonly RunDirectory _run;
        private readonly PreparedData _data;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly Device _device;
        private readonly Cnn14 _model;
        private readonly LogMelSpectrogram _frontEnd;
        private readonly optim.Optimizer _optimizer;
        private readonly ClipBatchLoader _trainLoader, _valLoader;
        private readonly int _classes;
        private PretrainState _state = null!;
        private EarlyStopping _early = null!;
        private double _secondsBefore;
        private Stopwatch _clock = new();
        private int _skippedTotal;
        private Generator? _stepGenerator;

        /// <summary>Inputs kept in run.json; resuming on other content is refused.</summary>
        public IReadOnlyList<RunInput> Inputs { get; init; } = [];

        public Session(PretrainJob job, PretrainRecipe recipe, RunDirectory run, PreparedData data, IProgress<TrainingProgress>? progress)
        {
            (_job, _r, _run, _data, _progress) = (job, recipe, run, data, progress);
            _device = DeviceSelector.Parse(recipe.Device);
            DeviceSelector.SetThreads(recipe.Threads);
            _classes = data.Classes.Count;
            // Initial weights depend on the seed only.
            manual_seed(DeterministicSeed.Torch(recipe.Seed, SeedStream.PretrainInit));
            _model = new Cnn14(recipe.ModelOptions(_classes));
            _model.to(_device);
            _frontEnd = new LogMelSpectrogram(recipe.LogMelOptions());
            _frontEnd.to(_device);
            _optimizer = new ScalarSafeAdam(_model.parameters(), recipe.LearningRate, amsgrad: recipe.Amsgrad);
            var audio = recipe.Preprocessing();
            _trainLoader = new ClipBatchLoader(data.Train, _classes, audio, recipe.Workers, recipe.PrefetchBatches);
            _valLoader = new ClipBatchLoader(data.Validation, _classes, audio, recipe.Workers, recipe.PrefetchBatches);
        }

        public void Dispose()
        {
            _stepGenerator?.Dispose();
            _optimizer.Dispose();
            _frontEnd.Dispose();
            _model.Dispose();
        }

        public PretrainResult Run(CancellationToken ct)
        {
            if (_run.CanResume) Resume(); else Start();
            _clock = Stopwatch.StartNew();
            if (_state.Finished == "max_epochs" && _state.Epoch < _r.MaxEpochs) _state = _state with { Finished = null };
            while (_state.Finished is null)
            {
                if (_state.Epoch >= _r.MaxEpochs) { _state = _state with { Finished = "max_epochs" }; Save(_run.LastCheckpoint); break; }
                if (!TrainEpoch(ct)) return Cancel();
                var (valLoss, valMap) = Validate(ct);
                if (ct.IsCancellationRequested) return Cancel();
                EndEpoch(valLoss, valMap);
            }
            return Finish();
        }

        private void Start()
        {
            var pre = JsonSerializer.SerializeToElement(PreprocessingJson(), PretrainRecipe.Json);
            _run.WriteRunInfo("clapaudit pretrain", _r.Seed, JsonSerializer.SerializeToElement(_r, PretrainRecipe.Json), pre,
                _job.GitCommit ?? RunDirectory.FindGitCommit(AppContext.BaseDirectory), DateTimeOffset.UtcNow, LogHeader, Inputs);
            _early = new EarlyStopping(_r.EarlyStoppingPatience, _r.EarlyStoppingMinDelta);
            _state = new PretrainState
            {
                EarlyStopping = _early.State,
                Recipe = _r,
                ClassCount = _classes,
                TrainClips = _data.Train.Count,
                ValidationClips = _data.Validation.Count,
            };
        }

        private void Resume()
        {
            var saved = Checkpoint.ReadStateAs<PretrainState>(_run.LastCheckpoint);
            if (saved.Format != PretrainState.FormatName)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{_run.LastCheckpoint}: not a {PretrainState.FormatName} (format '{saved.Format}')");
            RunInputs.CheckSame(_run.RunJson, RunInputs.Read(_run.RunJson), Inputs);
            var changed = saved.Recipe.Differences(_r).Where(k => !ResumableKeys.Contains(k)).ToList();
            if (changed.Count > 0)
                throw new ClapAuditException(ErrorKind.Mismatch,
                    $"{_run.LastCheckpoint}: the run was started with different settings ({string.Join(", ", changed)}); use a new run directory or the original settings");
            if (saved.ClassCount != _classes || saved.TrainClips != _data.Train.Count || saved.ValidationClips != _data.Validation.Count)
                throw new ClapAuditException(ErrorKind.Mismatch,
                    $"{_run.LastCheckpoint}: the run used {saved.ClassCount} classes, {saved.TrainClips} training and {saved.ValidationClips} validation clips; " +
                    $"the data now give {_classes}, {_data.Train.Count} and {_data.Validation.Count}. Use a new run directory");
            Checkpoint.LoadModule(_run.LastCheckpoint, _model, _optimizer);
            _early = new EarlyStopping(_r.EarlyStoppingPatience, _r.EarlyStoppingMinDelta, saved.EarlyStopping);
            _state = saved with { Recipe = _r };
            _secondsBefore = saved.Seconds;
            _run.TruncateLog(saved.Epoch, LogHeader);
            _progress?.Report(Progress(TrainingEvent.Resumed) with { Message = $"resumed at epoch {saved.Epoch}, batch {saved.BatchesDone}" });
        }

        private bool TrainEpoch(CancellationToken ct)
        {
            _model.train();
            var batches = TrainBatches(_data.Train, _classes, _r, _state.Epoch);
            var clock = Stopwatch.StartNew();
            long clips = 0;
            int stepsNow = 0;
            foreach (var batch in _trainLoader.Batches(batches, _state.BatchesDone, _r.Seed, _state.Epoch, _r.RandomCrop, ct))
            {
                if (ct.IsCancellationRequested) return false;
                ReportSkipped(batch);
                double loss = batch.Clips >= 2 || (!_r.Mixup && batch.Clips >= 1) ? Step(batch) : double.NaN;
                clips += batch.Clips;
                stepsNow++;
                _state = _state with
                {
                    BatchesDone = _state.BatchesDone + 1,
                    GlobalStep = _state.GlobalStep + 1,
                    EpochLossSum = _state.EpochLossSum + (double.IsNaN(loss) ? 0 : loss),
                    EpochSteps = _state.EpochSteps + (double.IsNaN(loss) ? 0 : 1),
                    EpochSkipped = _state.EpochSkipped + batch.Skipped.Count,
                };
                double s = clock.Elapsed.TotalSeconds;
                _progress?.Report(Progress(TrainingEvent.Step) with
                {
                    Loss = loss,
                    StepsInEpoch = batches.Count,
                    ClipsPerSecond = s > 0 ? clips / s : 0,
                    Eta = TimeSpan.FromSeconds(s / stepsNow * (batches.Count - _state.BatchesDone)),
                });
                if (_r.CheckpointEvery > 0 && _state.GlobalStep % _r.CheckpointEvery == 0 && _state.BatchesDone < batches.Count)
                    Save(_run.LastCheckpoint);
            }
            return !ct.IsCancellationRequested && _state.BatchesDone >= batches.Count;
        }

        private double Step(ClipBatch batch)
        {
            using var scope = NewDisposeScope();
            // SpecAugment and dropout draw from the model's own generator, mixup from a System.Random: both
            // seeded by the step, so a resumed run repeats them. Torch's default generator is process-wide
            // (another thread drawing from it would change the masks); it is seeded too, for anything else.
            long seed = DeterministicSeed.Torch(_r.Seed, SeedStream.PretrainStep, _state.GlobalStep);
            manual_seed(seed);
            _stepGenerator?.Dispose();
            _stepGenerator = new Generator((ulong)seed, _device);
            _model.DropoutGenerator = _stepGenerator;
            int n = batch.Clips;
            var wave = tensor(batch.Audio, [n, _r.AudioSamples]).to(_device);
            var target = tensor(batch.Targets, [n, _classes]).to(_device);
            Tensor? lambdas = null;
            if (_r.Mixup && n >= 2)
            {
                if (n % 2 == 1) { wave = wave[..(n - 1)]; target = target[..(n - 1)]; n--; }
                lambdas = tensor(Mixup.Lambdas(n, _r.MixupAlpha, DeterministicSeed.Random(_r.Seed, SeedStream.PretrainMixup, _state.GlobalStep)));
                target = Mixup.Apply(target, lambdas);
            }
            var logMel = _frontEnd.call(wave);
            using var output = _model.Forward(logMel, lambdas);
            var loss = nn.functional.binary_cross_entropy(output.Clipwise, target);
            double value = loss.item<float>();
            if (!double.IsFinite(value))
                throw new ClapAuditException(ErrorKind.NonFinite, $"pre-training loss is {value} at epoch {_state.Epoch}, step {_state.BatchesDone}");
            _optimizer.zero_grad();
            loss.backward();
            _optimizer.step();
            return value;
        }

        private (double Loss, double Map) Validate(CancellationToken ct)
        {
            if (_data.Validation.Count == 0) return (double.NaN, double.NaN);
            _model.eval();
            var batches = ValidationBatches(_data.Validation.Count, _r.BatchSize);
            var scores = new List<float>();
            var targets = new List<float>();
            double sum = 0;
            int n = 0, k = 0;
            using (no_grad())
            {
                foreach (var batch in _valLoader.Batches(batches, 0, _r.Seed, _state.Epoch, randomCrop: false, ct))
                {
                    if (ct.IsCancellationRequested) break;
                    ReportSkipped(batch);
                    if (batch.Clips == 0) continue;
                    using var scope = NewDisposeScope();
                    var wave = tensor(batch.Audio, [batch.Clips, _r.AudioSamples]).to(_device);
                    var target = tensor(batch.Targets, [batch.Clips, _classes]).to(_device);
                    using var output = _model.Forward(_frontEnd.call(wave), null);
                    sum += nn.functional.binary_cross_entropy(output.Clipwise, target).item<float>() * (double)batch.Clips;
                    n += batch.Clips;
                    scores.AddRange(output.Clipwise.cpu().data<float>().ToArray());
                    targets.AddRange(batch.Targets);
                    _progress?.Report(Progress(TrainingEvent.Validating) with { Step = ++k, StepsInEpoch = batches.Count });
                }
            }
            _model.train();
            if (ct.IsCancellationRequested) return (double.NaN, double.NaN);
            if (n == 0) throw new ClapAuditException(ErrorKind.InvalidData, "no readable validation clip");
            return (sum / n, AveragePrecision.Mean(scores.ToArray(), targets.ToArray(), n, _classes));
        }

        private void EndEpoch(double valLoss, double valMap)
        {
            int epoch = _state.Epoch;
            double trainLoss = _state.EpochSteps > 0 ? _state.EpochLossSum / _state.EpochSteps : double.NaN;
            bool hasVal = !double.IsNaN(valLoss);
            if (hasVal) _early.Step(valLoss);
            bool best = hasVal && valLoss < _state.BestValLoss;
            _run.AppendLogRow([
                I(epoch), I(_state.GlobalStep), F(trainLoss), F(valLoss), F(valMap), F(_r.LearningRate),
                Seconds().ToString("F1", CultureInfo.InvariantCulture)]);
            _state = _state with
            {
                Epoch = epoch + 1,
                BatchesDone = 0,
                EpochLossSum = 0,
                EpochSteps = 0,
                EpochSkipped = 0,
                EarlyStopping = _early.State,
                BestValLoss = best ? valLoss : _state.BestValLoss,
                BestValMap = best ? valMap : _state.BestValMap,
                BestEpoch = best ? epoch : _state.BestEpoch,
                Finished = hasVal && _early.ShouldStop ? "early_stopped" : epoch + 1 >= _r.MaxEpochs ? "max_epochs" : null,
            };
            if (best) Save(_run.BestCheckpoint);
            Save(_run.LastCheckpoint);
            _progress?.Report(Progress(TrainingEvent.EpochEnd) with
            {
                Epoch = epoch,
                Loss = trainLoss,
                EpochLoss = trainLoss,
                ValLoss = valLoss,
                Message = $"val_map={F(valMap)}",
            });
        }

        private PretrainResult Cancel()
        {
            Save(_run.LastCheckpoint);
            return Result(cancelled: true);
        }

        private PretrainResult Finish()
        {
            // The weights of the best validation epoch (the last ones without validation).
            if (_state.BestEpoch >= 0 && File.Exists(_run.BestCheckpoint)) Checkpoint.LoadModule(_run.BestCheckpoint, _model);
            _model.eval();
            PannsCheckpointWriter.Write(_job.OutFile, _model, _r.LogMelOptions(), _state.GlobalStep, MetadataJson());
            _progress?.Report(Progress(TrainingEvent.Checkpoint) with { Message = _job.OutFile });
            return Result(cancelled: false);
        }

        private string MetadataJson()
        {
            var removed = _data.RemovedLabels.Select(l => l.Mid).ToHashSet(StringComparer.Ordinal);
            var info = new JsonObject
            {
                ["format"] = PretrainedCnn14Metadata.FormatName,
                ["version"] = 1,
                ["iteration"] = _state.GlobalStep,
                ["epochs"] = _state.Epoch,
                ["best_epoch"] = _state.BestEpoch,
                ["clean"] = _job.CleanAgainstEsc50Dir is not null,
                ["clips"] = new JsonObject { ["train"] = _data.Train.Count, ["validation"] = _data.Validation.Count, ["removed"] = _data.RemovedClips },
                ["removed_labels"] = new JsonArray(_data.RemovedLabels.Select(l => (JsonNode?)JsonValue.Create(l.Mid)).ToArray()),
                ["preprocessing"] = JsonSerializer.SerializeToNode(PreprocessingJson(), PretrainRecipe.Json),
                ["recipe"] = JsonSerializer.SerializeToNode(_r, PretrainRecipe.Json),
                ["classes"] = new JsonArray(_data.Classes.Select(c => (JsonNode?)new JsonObject
                {
                    ["index"] = c.Index,
                    ["mid"] = c.Mid,
                    ["display_name"] = c.DisplayName,
                    ["removed"] = removed.Contains(c.Mid),
                }).ToArray()),
            };
            return info.ToJsonString();
        }

        private PretrainedPreprocessing PreprocessingJson() => new(
            _r.SampleRate, _r.DurationSeconds, _r.WindowSize, _r.HopSize, _r.MelBins, _r.Fmin, _r.Fmax, _r.ZNormalize, _r.Padding);

        private void ReportSkipped(ClipBatch batch)
        {
            foreach (var s in batch.Skipped)
            {
                _skippedTotal++;
                _progress?.Report(Progress(TrainingEvent.ItemSkipped) with { Message = s });
            }
        }

        private void Save(string path)
        {
            _state = _state with { Seconds = Seconds() };
            Checkpoint.SaveModule(path, _model, _optimizer, _state);
            _progress?.Report(Progress(TrainingEvent.Checkpoint) with { Message = path });
        }

        private double Seconds() => _secondsBefore + _clock.Elapsed.TotalSeconds;

        private TrainingProgress Progress(TrainingEvent e) => new()
        {
            Event = e,
            Epoch = _state?.Epoch ?? 0,
            Step = _state?.BatchesDone ?? 0,
            GlobalStep = _state?.GlobalStep ?? 0,
            Phase = TrainingPhase.Unfrozen,
            EpochLoss = _state is { EpochSteps: > 0 } s ? s.EpochLossSum / s.EpochSteps : double.NaN,
            LearningRate = _r.LearningRate,
            Skipped = _state?.EpochSkipped ?? 0,
        };

        private PretrainResult Result(bool cancelled) => new(
            Path.GetFullPath(_job.OutFile), _state.Epoch,
            _state.BestEpoch >= 0 ? _state.BestValLoss : null,
            _state.BestEpoch >= 0 && !double.IsNaN(_state.BestValMap) ? _state.BestValMap : null,
            _data.Train.Count + _data.Validation.Count, _data.RemovedClips,
            _data.RemovedLabels.Select(l => l.Mid).ToArray(), _run.Path)
        {
            Cancelled = cancelled,
            StopReason = cancelled ? null : _state.Finished,
            TrainClips = _data.Train.Count,
            ValidationClips = _data.Validation.Count,
            SkippedClips = _skippedTotal,
            RemovedLabelDetails = _data.RemovedLabels,
            GlobalStep = _state.GlobalStep,
        };

        private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        private static string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
    }
}
