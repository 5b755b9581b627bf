namespace ClapAudit.Training;

/// <summary>
/// PyTorch's ReduceLROnPlateau (mode "min", threshold 1e-4 relative, cooldown 0, min_lr 0,
/// eps 1e-8), written out so that its whole state is plain numbers saved in the checkpoint.
/// </summary>
public sealed class PlateauScheduler
{
    public double Factor { get; }
    public int Patience { get; }
    public double Threshold { get; } = 1e-4;
    public double MinLearningRate { get; } = 0;
    public double Eps { get; } = 1e-8;

    public PlateauState State { get; private set; }

    public PlateauScheduler(double factor, int patience, double learningRate, PlateauState? state = null)
    {
        Factor = factor;
        Patience = patience;
        State = state ?? new PlateauState(double.PositiveInfinity, 0, learningRate);
    }

    public double LearningRate => State.LearningRate;

    /// <summary>Records an epoch's validation loss; returns true when the learning rate was cut.</summary>
    public bool Step(double metric)
    {
        var (best, bad, lr) = State;
        if (metric < best * (1 - Threshold)) { best = metric; bad = 0; }
        else bad++;
        bool reduced = false;
        if (bad > Patience)
        {
            double next = Math.Max(lr * Factor, MinLearningRate);
            if (lr - next > Eps) { lr = next; reduced = true; }
            bad = 0;
        }
        State = new PlateauState(best, bad, lr);
        return reduced;
    }
}

public sealed record PlateauState(double Best, int BadEpochs, double LearningRate);

/// <summary>Stops when the validation loss has not improved on its best for Patience epochs.</summary>
public sealed class EarlyStopping
{
    public int Patience { get; }
    public double MinDelta { get; }
    public EarlyStoppingState State { get; private set; }

    public EarlyStopping(int patience, double minDelta, EarlyStoppingState? state = null)
    {
        Patience = patience;
        MinDelta = minDelta;
        State = state ?? new EarlyStoppingState(double.PositiveInfinity, 0);
    }

    public bool ShouldStop => State.BadEpochs >= Patience;

    public void Step(double metric) =>
        State = metric < State.Best - MinDelta ? new EarlyStoppingState(metric, 0) : State with { BadEpochs = State.BadEpochs + 1 };
}

public sealed record EarlyStoppingState(double Best, int BadEpochs);
