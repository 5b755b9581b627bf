using System.Diagnostics;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Training;

public enum TrainingStatus { Completed, EarlyStopped, MaxEpochs, Cancelled }

public sealed record TrainingResult(
    TrainingStatus Status, int EpochsCompleted, long GlobalStep, double BestValLoss, int BestEpoch,
    string LastCheckpoint, string BestCheckpoint);

/// <summary>
/// Trains a <see cref="ClapModel"/> with the paper's recipe: backbones frozen for
/// <c>FrozenEpochs</c> (Adam, <c>FrozenLearningRate</c>), then unfrozen with a new Adam at
/// <c>UnfrozenLearningRate</c> (fresh moments: the backbone parameters had none, and the projector
/// moments were scaled to the old rate), gradient-norm clipping, ReduceLROnPlateau and early
/// stopping on the validation loss (both restart at the unfreeze; early stopping counts unfrozen
/// epochs only, item (d)). Every step runs in its own dispose scope. A rerun on the same run
/// directory resumes from <c>checkpoints/last.ckpt</c>; cancellation saves it and returns.
/// </summary>
public sealed class Trainer
{
    /// <summary>Recipe keys that may change when a run resumes; any other change is an error.</summary>
    public static readonly IReadOnlySet<string> ResumableKeys = new HashSet<string>
    {
        "max_epochs", "workers", "prefetch_batches", "checkpoint_every", "threads", "device", "early_stopping_patience",
    };

    private readonly ClapModel _model;
    private readonly nn.Module<Tensor, Tensor> _frontEnd;
    private readonly ITrainingData _data;
    private readonly TrainingRecipe _recipe;
    private readonly RunDirectory _run;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly string? _gitCommit;
    private readonly Device _device;
    private readonly BackboneInfo? _backbones;

    private optim.Optimizer? _optimizer;
    private PlateauScheduler _plateau = null!;
    private EarlyStopping _early = null!;
    private CheckpointState _state = null!;
    private double _secondsBefore;
    private Stopwatch _clock = new();

    /// <param name="model">The model, built with <c>recipe.ModelOptions()</c>; moved to the recipe's device.</param>
    /// <param name="frontEnd">Waveforms (B, samples) to log-mels (B, 1, frames, mels); no trainable parameters.</param>
    /// <param name="data">Batches of waveforms and tokens, e.g. a <see cref="PairPipeline"/>.</param>
    /// <param name="recipe">The settings (validated here).</param>
    /// <param name="runDirectory">run.json, log.csv and checkpoints/; an existing last.ckpt is resumed.</param>
    /// <param name="progress">Steps, epochs, skipped items, checkpoints.</param>
    /// <param name="gitCommit">Recorded in run.json; null: looked up from the .git above the program.</param>
    /// <param name="backbones">Backbone configs written into every checkpoint so it can be loaded on its own.</param>
    public Trainer(ClapModel model, nn.Module<Tensor, Tensor> frontEnd, ITrainingData data, TrainingRecipe recipe,
        string runDirectory, IProgress<TrainingProgress>? progress = null, string? gitCommit = null, BackboneInfo? backbones = null)
    {
        _backbones = backbones;
        _model = model;
        _frontEnd = frontEnd;
        _data = data;
        _recipe = recipe.Validate();
        _run = new RunDirectory(runDirectory);
        _progress = progress;
        _gitCommit = gitCommit ?? RunDirectory.FindGitCommit(AppContext.BaseDirectory);
        _device = DeviceSelector.Parse(recipe.Device);
        var expected = recipe.ModelOptions();
        if (model.Options.ProjectionDim != expected.ProjectionDim || model.Options.ProjectionDropout != expected.ProjectionDropout
            || model.Options.LogitClamp != expected.LogitClamp)
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"the model was built with projection_dim {model.Options.ProjectionDim}, projection_dropout {model.Options.ProjectionDropout}, logit_clamp {model.Options.LogitClamp} " +
                $"but the recipe says {expected.ProjectionDim}, {expected.ProjectionDropout}, {expected.LogitClamp}: build it with recipe.ModelOptions()");
        if (_data.Count(DataSplit.Train) == 0) throw new ClapAuditException(ErrorKind.InvalidData, "the training split is empty");
        if (_data.Count(DataSplit.Validation) == 0) throw new ClapAuditException(ErrorKind.InvalidData, "the validation split is empty (early stopping and the plateau schedule need it)");
    }

    public RunDirectory RunDirectory => _run;

    /// <summary>Inputs (manifest, BERT, CNN14) kept in run.json; resuming on other content is refused.</summary>
    public IReadOnlyList<RunInput> Inputs { get; init; } = [];

    /// <summary>
    /// Training batches run through the audio backbone, without gradients, to set its BatchNorm running
    /// statistics before a new run starts (recipe key random_init_norm_batches, for a randomly initialised
    /// CNN14; see <see cref="BatchNormCalibration"/>); 0: none. A resumed run has them in its checkpoint.
    /// </summary>
    public int CalibrateAudioNorm { get; init; }

    public TrainingResult Train(CancellationToken cancellationToken = default)
    {
        DeviceSelector.SetThreads(_recipe.Threads);
        _model.to(_device);
        _frontEnd.to(_device);
        if (_run.CanResume) Resume();
        else
        {
            Start();
            CalibrateAudioNorms(cancellationToken);
        }
        _clock = Stopwatch.StartNew();

        // A run that ended at max_epochs continues when max_epochs was raised.
        if (_state.Finished == nameof(TrainingStatus.MaxEpochs) && _state.Epoch < _recipe.MaxEpochs)
            _state = _state with { Finished = null };
        if (_state.Finished is { } finished)
            return Result(finished == nameof(TrainingStatus.EarlyStopped) ? TrainingStatus.EarlyStopped : TrainingStatus.MaxEpochs);

        while (_state.Epoch < _recipe.MaxEpochs)
        {
            if (_state.Phase == TrainingPhase.Frozen && _state.Epoch >= _recipe.FrozenEpochs && _state.BatchesDone == 0)
                Unfreeze();
            if (!TrainEpoch(cancellationToken)) return Cancel();
            var (val, retrieval) = Validate(cancellationToken);
            if (double.IsNaN(val) && cancellationToken.IsCancellationRequested) return Cancel();
            if (EndEpoch(val, retrieval)) return Result(TrainingStatus.EarlyStopped);
        }
        _state = _state with { Finished = nameof(TrainingStatus.MaxEpochs) };
        Save(_run.LastCheckpoint);
        return Result(TrainingStatus.MaxEpochs);
    }

    // ------------------------------------------------------------------ set-up and resume

    private void Start()
    {
        _run.WriteRunInfo(_recipe, _gitCommit, DateTimeOffset.UtcNow, Inputs);
        var phase = _recipe.FrozenEpochs > 0 ? TrainingPhase.Frozen : TrainingPhase.Unfrozen;
        double lr = phase == TrainingPhase.Frozen ? _recipe.FrozenLearningRate : _recipe.UnfrozenLearningRate;
        SetPhase(phase, lr, null, null);
        _state = new CheckpointState
        {
            Phase = phase,
            Plateau = _plateau.State,
            EarlyStopping = _early.State,
            Recipe = _recipe,
            Preprocessing = TrainedPreprocessing.FromRecipe(_recipe),
            Model = Shape(),
            Backbones = _backbones,
        };
        _secondsBefore = 0;
    }

    private void Resume()
    {
        var saved = Checkpoint.ReadState(_run.LastCheckpoint);
        RunInputs.CheckSame(_run.RunJson, RunInputs.Read(_run.RunJson), Inputs);
        var changed = saved.Recipe.Differences(_recipe).Where(k => !ResumableKeys.Contains(k)).ToList();
        if (changed.Count > 0)
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"{_run.LastCheckpoint}: the run was started with different settings ({string.Join(", ", changed)}); use a new run directory or the original settings");
        if (saved.Model != Shape())
            throw new ClapAuditException(ErrorKind.Mismatch, $"{_run.LastCheckpoint}: model shape {saved.Model} differs from {Shape()}");
        SetPhase(saved.Phase, saved.Plateau.LearningRate, saved.Plateau, saved.EarlyStopping);
        Checkpoint.Load(_run.LastCheckpoint, _model, _optimizer);
        SetLearningRate(saved.Plateau.LearningRate);
        _state = saved with { Recipe = _recipe, Backbones = saved.Backbones ?? _backbones };
        _secondsBefore = saved.Seconds;
        _run.TruncateLog(saved.Epoch, RunDirectory.TrainingLogHeader(_recipe));
        _progress?.Report(Progress(TrainingEvent.Resumed) with { Message = $"resumed at epoch {saved.Epoch}, batch {saved.BatchesDone}" });
    }

    private void CalibrateAudioNorms(CancellationToken ct)
    {
        if (CalibrateAudioNorm <= 0) return;
        int done = 0;
        int layers = BatchNormCalibration.Calibrate(_model.AudioEncoder.Backbone, () =>
        {
            // The first batches of epoch 0 (the pipeline is deterministic, so epoch 0 still sees them all).
            foreach (var batch in _data.Batches(DataSplit.Train, 0, 0, ct))
            {
                if (done >= CalibrateAudioNorm || ct.IsCancellationRequested) break;
                if (batch.Clips < 2) continue;
                using var scope = NewDisposeScope();
                var (wave, _, _) = ToTensors(batch);
                _model.EncodeAudio(_frontEnd.call(wave));
                done++;
            }
        });
        _progress?.Report(Progress(TrainingEvent.NormCalibrated) with
        {
            Message = $"audio BatchNorm statistics of the random-init CNN14 ({layers} layers) set from {done} training batches",
        });
    }

    private void SetPhase(TrainingPhase phase, double lr, PlateauState? plateau, EarlyStoppingState? early)
    {
        _model.SetBackbonesFrozen(phase == TrainingPhase.Frozen);
        _optimizer?.Dispose();
        _optimizer = new ScalarSafeAdam(_model.TrainableParameters(), lr);
        _plateau = new PlateauScheduler(_recipe.PlateauFactor, _recipe.PlateauPatience, lr, plateau);
        _early = new EarlyStopping(_recipe.EarlyStoppingPatience, _recipe.EarlyStoppingMinDelta, early);
    }

    private void Unfreeze()
    {
        SetPhase(TrainingPhase.Unfrozen, _recipe.UnfrozenLearningRate, null, null);
        _state = _state with { Phase = TrainingPhase.Unfrozen, Plateau = _plateau.State, EarlyStopping = _early.State };
        _progress?.Report(Progress(TrainingEvent.PhaseChange) with { Message = $"backbones unfrozen, Adam lr {_recipe.UnfrozenLearningRate}" });
    }

    private void SetLearningRate(double lr)
    {
        foreach (var group in _optimizer!.ParamGroups) group.LearningRate = lr;
    }

    private ModelShape Shape() => new(
        (int)_model.AudioEncoder.Projector.InputSize, _model.CaptionEncoder.Projector.InputSize,
        _model.Options.ProjectionDim, _model.Options.ProjectionDropout, _model.Options.LogitClamp);

    // ------------------------------------------------------------------ epochs and steps

    /// <summary>Runs the rest of the epoch's training batches; false when cancelled.</summary>
    private bool TrainEpoch(CancellationToken ct)
    {
        _model.train();
        int steps = _data.BatchCount(DataSplit.Train);
        var epochClock = Stopwatch.StartNew();
        long clips = 0;
        int stepsThisSession = 0;
        foreach (var batch in _data.Batches(DataSplit.Train, _state.Epoch, _state.BatchesDone, ct))
        {
            if (ct.IsCancellationRequested) return false;
            double loss = batch.Clips >= 2 ? Step(batch) : double.NaN;
            clips += batch.Clips;
            stepsThisSession++;
            _state = _state with
            {
                BatchesDone = _state.BatchesDone + 1,
                GlobalStep = _state.GlobalStep + 1,
                EpochLossSum = _state.EpochLossSum + (double.IsNaN(loss) ? 0 : loss),
                EpochSteps = _state.EpochSteps + (double.IsNaN(loss) ? 0 : 1),
                EpochSkipped = _state.EpochSkipped + batch.Skipped,
            };
            double seconds = epochClock.Elapsed.TotalSeconds;
            _progress?.Report(Progress(TrainingEvent.Step) with
            {
                Loss = loss,
                ClipsPerSecond = seconds > 0 ? clips / seconds : 0,
                Eta = TimeSpan.FromSeconds(seconds / stepsThisSession * (steps - _state.BatchesDone)),
            });
            if (_recipe.CheckpointEvery > 0 && _state.GlobalStep % _recipe.CheckpointEvery == 0 && _state.BatchesDone < steps)
                Save(_run.LastCheckpoint);
        }
        return !ct.IsCancellationRequested && _state.BatchesDone >= steps;
    }

    private double Step(TrainingBatch batch)
    {
        using var scope = NewDisposeScope();
        // Dropout depends on the seed and the step only, so a resumed run repeats it: every dropout of the
        // model draws from the model's own generator, reseeded here. Torch's default generator is process-wide
        // (another thread drawing from it would change the masks); it is seeded too, for anything else.
        manual_seed(DeterministicSeed.Torch(_recipe.Seed, SeedStream.ClapStep, _state.GlobalStep));
        _model.SeedDropout(DeterministicSeed.Torch(_recipe.Seed, SeedStream.ClapDropout, _state.GlobalStep));
        var (wave, ids, mask) = ToTensors(batch);
        try
        {
            return TrainingStep.Apply(_model, _frontEnd.call(wave), ids, mask, _optimizer!, _recipe.GradientClipNorm).Loss;
        }
        catch (ClapAuditException e) when (e.Kind == ErrorKind.NonFinite)
        {
            throw new ClapAuditException(ErrorKind.NonFinite,
                $"{e.Message} at epoch {_state.Epoch}, step {_state.BatchesDone} (items {string.Join(", ", batch.ItemIds.Take(5))}...)");
        }
    }

    private (Tensor wave, Tensor ids, Tensor mask) ToTensors(TrainingBatch batch) => (
        tensor(batch.Audio, [batch.Clips, batch.Samples]).to(_device),
        tensor(batch.Ids, [batch.Clips, batch.TokenLength]).to(_device),
        tensor(batch.Mask, [batch.Clips, batch.TokenLength]).to(_device));

    /// <summary>
    /// Mean validation loss weighted by batch size (NaN when cancelled) and, with <c>val_retrieval</c>, the
    /// retrieval scores on the validation pairs.
    /// </summary>
    private (double Loss, Evaluation.RetrievalResult? Retrieval) Validate(CancellationToken ct)
    {
        _model.eval();
        double sum = 0;
        long n = 0;
        int k = 0;
        var retrieval = _recipe.ValRetrieval ? new ValidationRetrieval() : null;
        using (no_grad())
        {
            foreach (var batch in _data.Batches(DataSplit.Validation, _state.Epoch, 0, ct))
            {
                if (ct.IsCancellationRequested) break;
                if (batch.Clips < 2) continue;
                using var scope = NewDisposeScope();
                var (wave, ids, mask) = ToTensors(batch);
                var (_, ea) = _model.EncodeAudio(_frontEnd.call(wave));
                var (_, et) = _model.EncodeText(ids, mask);
                sum += ClipLoss.Compute(_model.Logits(ea, et)).item<float>() * (double)batch.Clips;
                retrieval?.Add(ea, et, batch);
                n += batch.Clips;
                _progress?.Report(Progress(TrainingEvent.Validating) with { Step = ++k, StepsInEpoch = _data.BatchCount(DataSplit.Validation) });
            }
        }
        _model.train();
        if (ct.IsCancellationRequested) return (double.NaN, null);
        if (n == 0) throw new ClapAuditException(ErrorKind.InvalidData, "no validation batch with at least 2 readable pairs");
        return (sum / n, retrieval?.Score(ct));
    }

    /// <summary>Schedules, logs and checkpoints after validation; true when early stopping ends training.</summary>
    private bool EndEpoch(double val, Evaluation.RetrievalResult? retrieval)
    {
        int epoch = _state.Epoch;
        double trainLoss = _state.EpochSteps > 0 ? _state.EpochLossSum / _state.EpochSteps : double.NaN;
        double lrUsed = _plateau.LearningRate;
        if (_plateau.Step(val)) SetLearningRate(_plateau.LearningRate);
        if (_state.Phase == TrainingPhase.Unfrozen) _early.Step(val);
        bool best = val < _state.BestValLoss;
        double logitScale = _model.LogitScale.item<float>();
        _run.AppendLog(epoch, _state.GlobalStep, trainLoss, val, lrUsed, logitScale, Seconds(), retrieval);
        _state = _state with
        {
            Epoch = epoch + 1,
            BatchesDone = 0,
            EpochLossSum = 0,
            EpochSteps = 0,
            EpochSkipped = 0,
            Plateau = _plateau.State,
            EarlyStopping = _early.State,
            BestValLoss = best ? val : _state.BestValLoss,
            BestEpoch = best ? epoch : _state.BestEpoch,
            Finished = _early.ShouldStop ? nameof(TrainingStatus.EarlyStopped) : null,
        };
        if (best) Save(_run.BestCheckpoint);
        Save(_run.LastCheckpoint);
        _progress?.Report(Progress(TrainingEvent.EpochEnd) with
        {
            Epoch = epoch,
            Loss = trainLoss,
            EpochLoss = trainLoss,
            ValLoss = val,
            LearningRate = lrUsed,
            Retrieval = retrieval,
        });
        return _early.ShouldStop;
    }

    private TrainingResult Cancel()
    {
        Save(_run.LastCheckpoint);
        return Result(TrainingStatus.Cancelled);
    }

    private void Save(string path)
    {
        _state = _state with { Seconds = Seconds() };
        Checkpoint.Save(path, _model, _optimizer, _state);
        _progress?.Report(Progress(TrainingEvent.Checkpoint) with { Message = path });
    }

    private double Seconds() => _secondsBefore + _clock.Elapsed.TotalSeconds;

    private TrainingProgress Progress(TrainingEvent e) => new()
    {
        Event = e,
        Epoch = _state?.Epoch ?? 0,
        Step = _state?.BatchesDone ?? 0,
        StepsInEpoch = _data.BatchCount(DataSplit.Train),
        GlobalStep = _state?.GlobalStep ?? 0,
        Phase = _state?.Phase ?? TrainingPhase.Frozen,
        EpochLoss = _state is { EpochSteps: > 0 } s ? s.EpochLossSum / s.EpochSteps : double.NaN,
        LearningRate = _plateau?.LearningRate ?? 0,
        Skipped = _state?.EpochSkipped ?? 0,
    };

    private TrainingResult Result(TrainingStatus status) => new(
        status, _state.Epoch, _state.GlobalStep, _state.BestValLoss, _state.BestEpoch, _run.LastCheckpoint, _run.BestCheckpoint);
}
