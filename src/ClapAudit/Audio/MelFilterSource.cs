namespace ClapAudit.Audio;

/// <summary>
/// Which mel filters <see cref="LogMelSpectrogram"/> uses with a PANNs/msclap checkpoint
/// (the <c>--mel-filters</c> setting): those computed for the configured options, or the
/// checkpoint's own <c>logmel_extractor.melW</c> (see <see cref="FrontEndCheck"/>).
/// </summary>
public enum MelFilterSource
{
    Computed,
    Checkpoint,
}
