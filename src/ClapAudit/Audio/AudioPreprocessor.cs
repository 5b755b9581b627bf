using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>
/// Decoded audio to the model's input waveform: channels to one signal (mean or msclap's concat),
/// resample, take a segment of the target duration (given offset, seeded random offset, or 0),
/// pad short clips (zeros or repeats), then z-normalise (population variance).
/// </summary>
public static class AudioPreprocessor
{
    /// <summary>Decodes <paramref name="path"/> and prepares it; see <see cref="Prepare"/>.</summary>
    public static float[] Load(string path, AudioPreprocessing settings, double? offsetSeconds = null, Random? rng = null) =>
        Prepare(AudioDecoder.Decode(path), settings, offsetSeconds, rng, path);

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
            for (int i = 0; i < ch.Length; i++)
                if (!float.IsFinite(ch[i]))
                    throw new ClapAuditException(ErrorKind.NonFinite,
                        $"{source}: {(float.IsNaN(ch[i]) ? "NaN" : "infinite")} sample at frame {i} (time {(double)i / audio.SampleRate:0.######} s), channel {c}");
        }

        CheckRate(audio.SampleRate, source);
        // The segment is chosen on the length the whole resampled signal would have, then only the
        // segment is resampled: a long clip (or one that declares a tiny rate) costs the crop, not the clip.
        long perChannel = Resampler.OutputLength(audio.Frames, audio.SampleRate, settings.SampleRate);
        long length = settings.Channels == ChannelMode.Concat ? perChannel * audio.ChannelCount : perChannel;
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

        var segment = Segment(audio, settings, start, (int)Math.Min(target, length - start), perChannel);
        var output = new float[target];
        segment.CopyTo(output);
        if (segment.Length < target && settings.Pad == PadMode.Repeat)
            for (int i = segment.Length; i < target; i++) output[i] = segment[i % segment.Length];

        if (settings.Normalize) NormalizeInPlace(output);
        return output;
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

    /// <summary>Samples [start, start + count) of the single-channel resampled signal.</summary>
    private static float[] Segment(DecodedAudio audio, AudioPreprocessing s, long start, int count, long perChannel)
    {
        if (s.Channels != ChannelMode.Concat)
            return Resampler.Resample(ToMono(audio), audio.SampleRate, s.SampleRate, start, count);
        // msclap resamples the [C, N] tensor, then flattens it: the segment may span several channels.
        var segment = new float[count];
        for (int c = 0; c < audio.ChannelCount; c++)
        {
            long from = Math.Max(start, c * perChannel), to = Math.Min(start + count, (c + 1) * perChannel);
            if (from >= to) continue;
            Resampler.Resample(audio.Channels[c], audio.SampleRate, s.SampleRate, from - c * perChannel, to - from)
                .CopyTo(segment, from - start);
        }
        return segment;
    }

    private static float[] ToMono(DecodedAudio audio)
    {
        float[] mono;
        if (audio.ChannelCount == 1) mono = audio.Channels[0];
        else
        {
            mono = new float[audio.Frames];
            for (int i = 0; i < mono.Length; i++)
            {
                double sum = 0;
                for (int c = 0; c < audio.ChannelCount; c++) sum += audio.Channels[c][i];
                mono[i] = (float)(sum / audio.ChannelCount);
            }
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
