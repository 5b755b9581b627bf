namespace ClapAudit.Audio;

/// <summary>
/// Decoded audio: planar channels (one array per channel, all the same length) of floats in [-1, 1]
/// at <paramref name="SampleRate"/> Hz.
/// </summary>
public sealed record DecodedAudio(float[][] Channels, int SampleRate)
{
    public int ChannelCount => Channels.Length;
    public int Frames => Channels.Length == 0 ? 0 : Channels[0].Length;
    public double DurationSeconds => SampleRate == 0 ? 0 : (double)Frames / SampleRate;
}
