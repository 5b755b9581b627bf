namespace ClapAudit.Data;

/// <summary>
/// One audio-text pair: an audio file and one of its captions. An audio file with five captions
/// gives five pairs (the paper pairs every caption with its audio).
/// </summary>
/// <param name="Dataset">"clotho", "audiocaps", "fsd50k" or "macs".</param>
/// <param name="AudioPath">Absolute path of the audio file.</param>
/// <param name="Caption">The caption text as published (UTF-8, untouched).</param>
/// <param name="Id">The source's id for this pair (e.g. AudioCaps' audiocap_id, "file.wav#3" for Clotho's third caption).</param>
public sealed record AudioTextPair(string Dataset, string AudioPath, string Caption, string Id);
