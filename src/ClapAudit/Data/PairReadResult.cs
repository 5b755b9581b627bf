namespace ClapAudit.Data;

/// <summary>
/// What a training-data reader returns: the pairs whose audio exists, the problems met (file:line),
/// and how many pairs and audio files were left out because their audio file is missing.
/// </summary>
public sealed record PairReadResult(
    string Dataset,
    IReadOnlyList<AudioTextPair> Pairs,
    IReadOnlyList<DataProblem> Problems,
    int MissingAudioPairs,
    int MissingAudioFiles)
{
    /// <summary>Distinct audio files among <see cref="Pairs"/>.</summary>
    public int AudioCount => Pairs.Select(p => p.AudioPath).Distinct(StringComparer.Ordinal).Count();
}
