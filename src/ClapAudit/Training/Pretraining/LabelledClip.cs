namespace ClapAudit.Training.Pretraining;

/// <summary>A pre-training clip: its audio file and the indices of its positive classes.</summary>
public sealed record LabelledClip(string Id, string AudioPath, int[] Labels);

/// <summary>Decoded, cropped clips of one step with multi-hot targets (rows of unreadable clips are left out).</summary>
internal sealed record ClipBatch(int Index, float[] Audio, float[] Targets, int Clips, IReadOnlyList<string> Skipped);
