using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>
/// Decoded audio to the model's input waveform: channels to one signal (mean or msclap's concat),
/// resample, take a segment of the target duration (given offset, seeded random offset, or 0),
/// pad short clips (zeros or repeats), then z-normalise (population variance).
/// </summary>
public static class AudioPreprocessor
{
    /// <summary>
    /// Decodes the part of <paramref name="path"/> the segment needs and prepares it; the result equals, bit for
    /// bit, <see cref="Prepare"/> of the whole decode. The segment is chosen as <see cref="Prepare"/> chooses it,
    /// from the frame count the file's header states (WAV, FLAC's STREAMINFO, Ogg's last granule; an MP3 or a
    /// FLAC without a total is decoded once to count its frames first), then only the source frames the
    /// resampler reads for it (the segment plus the filter's reach) are decoded and kept: a 5 s crop of a
    /// 10-minute WAV reads and holds 5 s, not the file. Samples are checked to be finite within those frames
    /// only (a NaN outside them cannot reach the output); the error names the frame in the whole file.
    /// </summary>
    /// <remarks>If a header's count proves wrong (a decode meets the end before it), the segment is chosen again
    /// on the decoded count and decoded again; a random segment then draws from <paramref name="rng"/> twice.</remarks>
    public static float[] Load(string path, AudioPreprocessing settings, double? offsetSeconds = null,
        Random? rng = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Crop? crop = null;
        var window = AudioDecoder.DecodeWindow(path, info =>
        {
            var none = new FrameRange[info.ChannelCount];
            // No channels, no frames or a rate of 0: nothing to choose; the decoder's own error follows.
            if (info.ChannelCount == 0 || info.SampleRate <= 0 || info.Frames == 0) return none;
            if (info.Frames is not long frames) return null; // count first
            CheckRate(info.SampleRate, path);
            crop = ChooseCrop(frames, info.ChannelCount, info.SampleRate, settings, offsetSeconds, rng, path);
            return SourceRanges(crop.Value, info.ChannelCount, info.SampleRate, settings);
        });
        CheckFinite(window, path);
        return Finish(window, crop ?? throw new InvalidOperationException($"{path}: no segment was chosen"), settings);
    }

    /// <param name="audio">Decoded clip.</param>
    /// <param name="settings">Target rate, duration, channel and pad modes, normalisation.</param>
    /// <param name="offsetSeconds">Start of the segment, in seconds of the resampled (and, for Concat, concatenated) signal. When null, a random
    /// segment is drawn from <paramref name="rng"/>, every start in [0, length - target] equally likely; with no rng either, the segment starts at 0.</param>
    /// <param name="rng">Draws the random segment when no offset is given.</param>
    /// <param name="source">Names the clip in error messages.</param>
    public static float[] Prepare(DecodedAudio audio, AudioPreprocessing settings, double? offsetSeconds, Random? rng, string source)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (audio.ChannelCount == 0 || audio.Frames == 0)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: no audio samples");
        for (int c = 0; c < audio.ChannelCount; c++)
        {
            var ch = audio.Channels[c];
            if (ch.Length != audio.Frames)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: channel {c} has {ch.Length} samples, channel 0 has {audio.Frames}");
        }
        var window = AudioWindow.Whole(audio);
        CheckFinite(window, source);
        CheckRate(audio.SampleRate, source);
        var crop = ChooseCrop(audio.Frames, audio.ChannelCount, audio.SampleRate, settings, offsetSeconds, rng, source);
        return Finish(window, crop, settings);
    }

    /// <summary>Rates a clip may declare; outside them the header is broken (1 Hz would resample to hours).</summary>
    public const int MinSourceRate = 1000, MaxSourceRate = 768_000;

    private static void CheckRate(int rate, string source)
    {
        if (rate < MinSourceRate || rate > MaxSourceRate)
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{source}: the file declares a sample rate of {rate} Hz, " +
                $"outside {MinSourceRate}..{MaxSourceRate} Hz (a broken header?)");
    }

    /// <summary>The first non-finite sample, channel by channel, named by its frame in the whole file.</summary>
    private static void CheckFinite(AudioWindow window, string source)
    {
        for (int c = 0; c < window.ChannelCount; c++)
        {
            var ch = window.Channels[c];
            for (int i = 0; i < ch.Length; i++)
                if (!float.IsFinite(ch[i]))
                {
                    long frame = window.Starts[c] + i;
                    throw new ClapAuditException(ErrorKind.NonFinite,
                        $"{source}: {(float.IsNaN(ch[i]) ? "NaN" : "infinite")} sample at frame {frame} " +
                        $"(time {(double)frame / window.SampleRate:0.######} s), channel {c}");
                }
        }
    }

    /// <summary>
    /// Samples [Start, Start + Count) of the single-channel resampled signal (for Concat, the channels end to
    /// end), which is <see cref="Length"/> long; <see cref="PerChannel"/> is one channel's resampled length
    /// from <see cref="Frames"/> source frames.
    /// </summary>
    private readonly record struct Crop(long Start, int Count, long Length, long PerChannel, long Frames);

    /// <summary>
    /// The segment, chosen on the length the whole resampled signal would have (only the segment is resampled):
    /// a long clip, or one that declares a tiny rate, costs the crop, not the clip.
    /// </summary>
    private static Crop ChooseCrop(long frames, int channels, int rate, AudioPreprocessing settings,
        double? offsetSeconds, Random? rng, string source)
    {
        long perChannel = Resampler.OutputLength(frames, rate, settings.SampleRate);
        long length = settings.Channels == ChannelMode.Concat ? perChannel * channels : perChannel;
        int target = settings.TargetSamples;

        long start = 0;
        if (offsetSeconds is double off)
        {
            if (!double.IsFinite(off) || off < 0)
                throw new ClapAuditException(ErrorKind.InvalidSetting, $"{source}: offset must be a non-negative number of seconds, got {off}");
            double first = Math.Round(off * settings.SampleRate);
            if (first >= length)
                throw new ClapAuditException(ErrorKind.InvalidSetting,
                    $"{source}: offset {off} s is at or beyond the end of the clip " +
                    $"({(double)length / settings.SampleRate:0.###} s)");
            start = (long)first;
        }
        else if (rng is not null && length > target)
            start = rng.Next(0, checked((int)(length - target + 1))); // Next(int, int): seeded crops stay as before
        return new Crop(start, (int)Math.Min(target, length - start), length, perChannel, frames);
    }

    /// <summary>Channel c's part of the segment, in that channel's resampled samples (Concat splits it).</summary>
    private static (long From, long Count) ChannelSpan(Crop crop, int c, AudioPreprocessing s)
    {
        if (s.Channels != ChannelMode.Concat) return (crop.Start, crop.Count);
        // msclap resamples the [C, N] tensor, then flattens it: the segment may span several channels.
        long from = Math.Max(crop.Start, c * crop.PerChannel);
        long to = Math.Min(crop.Start + crop.Count, (c + 1) * crop.PerChannel);
        return from >= to ? (0, 0) : (from - c * crop.PerChannel, to - from);
    }

    /// <summary>The source frames of each channel that the resampler reads for the segment.</summary>
    private static FrameRange[] SourceRanges(Crop crop, int channels, int rate, AudioPreprocessing s)
    {
        var ranges = new FrameRange[channels];
        for (int c = 0; c < channels; c++)
        {
            var (from, count) = ChannelSpan(crop, c, s);
            ranges[c] = Resampler.InputWindow(crop.Frames, rate, s.SampleRate, from, count);
        }
        return ranges;
    }

    /// <summary>Resamples the segment from the decoded window, pads it, normalises it.</summary>
    private static float[] Finish(AudioWindow window, Crop crop, AudioPreprocessing settings)
    {
        var segment = Segment(window, crop, settings);
        int target = settings.TargetSamples;
        var output = new float[target];
        segment.CopyTo(output);
        if (segment.Length < target && settings.Pad == PadMode.Repeat)
            for (int i = segment.Length; i < target; i++) output[i] = segment[i % segment.Length];

        if (settings.Normalize) NormalizeInPlace(output);
        return output;
    }

    private static float[] Segment(AudioWindow w, Crop crop, AudioPreprocessing s)
    {
        if (s.Channels != ChannelMode.Concat)
            return Resampler.Resample(ToMono(w), w.Starts[0], crop.Frames, w.SampleRate, s.SampleRate,
                crop.Start, crop.Count);
        var segment = new float[crop.Count];
        for (int c = 0; c < w.ChannelCount; c++)
        {
            var (from, count) = ChannelSpan(crop, c, s);
            if (count == 0) continue;
            Resampler.Resample(w.Channels[c], w.Starts[c], crop.Frames, w.SampleRate, s.SampleRate, from, count)
                .CopyTo(segment, from + c * crop.PerChannel - crop.Start);
        }
        return segment;
    }

    /// <summary>The channel mean, frame by frame (every channel of a Mean window holds the same frames).</summary>
    private static float[] ToMono(AudioWindow w)
    {
        if (w.ChannelCount == 1) return w.Channels[0];
        var mono = new float[w.Channels[0].Length];
        for (int i = 0; i < mono.Length; i++)
        {
            double sum = 0;
            for (int c = 0; c < w.ChannelCount; c++) sum += w.Channels[c][i];
            mono[i] = (float)(sum / w.ChannelCount);
        }
        return mono;
    }

    /// <summary>(x - mean) / std with the population std (ddof 0); a constant clip becomes zeros.</summary>
    internal static void NormalizeInPlace(Span<float> x)
    {
        double mean = 0;
        foreach (float v in x) mean += v;
        mean /= x.Length;
        double ss = 0;
        foreach (float v in x) ss += (v - mean) * (v - mean);
        double std = Math.Sqrt(ss / x.Length);
        if (std == 0 || !double.IsFinite(std))
        {
            x.Clear();
            return;
        }
        for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - mean) / std);
    }
}
