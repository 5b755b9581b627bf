namespace ClapAudit.Audio;

/// <summary>Frames [Start, Start + Count) of one channel of a file.</summary>
public readonly record struct FrameRange(long Start, long Count)
{
    public long End => Start + Count;

    /// <summary>Every frame of the file, however many there are.</summary>
    public static FrameRange All { get; } = new(0, long.MaxValue / 2);

    public static FrameRange None { get; } = new(0, 0);

    /// <summary>The part of this range inside [0, frames).</summary>
    public FrameRange ClipTo(long frames)
    {
        long start = Math.Clamp(Start, 0, frames), end = Math.Clamp(End, start, frames);
        return new(start, end - start);
    }
}

/// <summary>
/// What a decoder knows once it has read a file's header: the rate, the channels and, when the header states it
/// (WAV's data size, FLAC's STREAMINFO total, NVorbis's last granule) or an earlier pass counted it, the number
/// of frames. A caller chooses from this which frames of each channel to keep.
/// </summary>
public sealed record AudioInfo(int SampleRate, int ChannelCount, long? Frames);

/// <summary>
/// The kept part of a decoded file: for channel c, frames [Starts[c], Starts[c] + Channels[c].Length) of the
/// file's <see cref="Frames"/>, each sample equal, bit for bit, to the whole file's decode at that frame.
/// </summary>
/// <param name="Channels">Each channel's kept samples.</param>
/// <param name="Starts">The file frame of each channel's first kept sample.</param>
/// <param name="SampleRate">The file's rate in Hz.</param>
/// <param name="Frames">The whole file's frames per channel.</param>
/// <param name="ReachedEnd">The decoder read to the end of the stream, so <see cref="Frames"/> is the
/// decoded count; otherwise it stopped after the kept frames and <see cref="Frames"/> is the header's count.</param>
public sealed record AudioWindow(float[][] Channels, long[] Starts, int SampleRate, long Frames, bool ReachedEnd)
{
    public int ChannelCount => Channels.Length;

    /// <summary>A whole decoded clip as a window starting at frame 0.</summary>
    public static AudioWindow Whole(DecodedAudio audio) =>
        new(audio.Channels, new long[audio.ChannelCount], audio.SampleRate, audio.Frames, ReachedEnd: true);
}

/// <summary>
/// Collects a sequential decode's samples, keeping for each channel only the frames of its range. Decoders hand
/// it every block in order; it copies out the part inside the range. When the file's length is known the kept
/// arrays have their final size at once; otherwise they grow by doubling and are trimmed at the end.
/// </summary>
internal sealed class WindowSink
{
    private readonly FrameRange[] _ranges;
    private readonly float[][] _kept;
    private readonly long[] _filled;

    /// <param name="ranges">One range per channel.</param>
    /// <param name="channels">The file's channel count.</param>
    /// <param name="frames">The file's frame count when known (the header's or an earlier pass's): the kept
    /// arrays get their final size at once, and a decoder may stop once it has decoded <see cref="End"/>.
    /// The ranges are not clipped to it: a header that undercounts still gets every frame the ranges ask for.</param>
    public WindowSink(FrameRange[] ranges, int channels, long? frames)
    {
        if (ranges.Length != channels)
            throw new ArgumentException($"{ranges.Length} frame ranges for {channels} channels", nameof(ranges));
        _ranges = ranges.ToArray();
        Known = frames is not null;
        _kept = new float[channels][];
        _filled = new long[channels];
        for (int c = 0; c < channels; c++)
        {
            var r = _ranges[c];
            long capacity = frames is long n ? Math.Max(0, Math.Min(r.End, n) - r.Start) : Math.Min(r.Count, 1 << 16);
            // A header can lie (a hostile FLAC may declare 2^35 frames): what is allocated ahead is capped, then grown.
            _kept[c] = new float[Math.Min(capacity, 1 << 24)];
        }
        End = _ranges.Length == 0 ? 0 : _ranges.Max(r => r.Count == 0 ? 0 : r.End);
    }

    /// <summary>The file's length was known up front: a decoder may stop at <see cref="End"/>.</summary>
    public bool Known { get; }

    /// <summary>One past the last frame any channel keeps.</summary>
    public long End { get; }

    /// <summary>True when a decoder that has decoded <paramref name="decoded"/> frames needs no more.</summary>
    public bool Done(long decoded) => Known && decoded >= End;

    /// <summary>
    /// Where to write frames [<paramref name="first"/>, first + <paramref name="count"/>) of channel
    /// <paramref name="channel"/>: the returned span takes the part inside the range, which starts
    /// <paramref name="skip"/> frames into the block (an empty span when none of it is kept).
    /// </summary>
    public Span<float> Slot(int channel, long first, int count, out int skip)
    {
        var r = _ranges[channel];
        long from = Math.Max(first, r.Start), to = Math.Min(first + count, r.End);
        skip = (int)Math.Max(0, from - first);
        if (from >= to) return [];
        long at = from - r.Start, need = to - r.Start;
        ref float[] kept = ref _kept[channel];
        if (need > kept.Length)
        {
            long size = Math.Min(r.Count, Math.Max(need, 2L * kept.Length));
            if (size > Array.MaxLength) throw new InvalidDataException("the decoded audio is too long to hold");
            Array.Resize(ref kept, (int)size);
        }
        _filled[channel] = Math.Max(_filled[channel], need);
        return kept.AsSpan((int)at, (int)(to - from));
    }

    /// <summary>Keeps the part of an interleaved block (frames from <paramref name="first"/>) in the ranges.</summary>
    public void AddInterleaved(long first, ReadOnlySpan<float> interleaved, int channels)
    {
        int frames = interleaved.Length / channels;
        for (int c = 0; c < channels; c++)
        {
            var dst = Slot(c, first, frames, out int skip);
            for (int i = 0; i < dst.Length; i++) dst[i] = interleaved[(skip + i) * channels + c];
        }
    }

    /// <summary>The kept samples of a file of <paramref name="frames"/> frames.</summary>
    public AudioWindow Finish(int sampleRate, long frames, bool reachedEnd)
    {
        var channels = new float[_kept.Length][];
        var starts = new long[_kept.Length];
        for (int c = 0; c < channels.Length; c++)
        {
            var r = _ranges[c].ClipTo(frames);
            starts[c] = r.Start;
            var kept = _kept[c];
            // What was decoded is the range up to the file's end; a longer array (grown ahead) is trimmed.
            channels[c] = kept.Length == r.Count ? kept : kept.AsSpan(0, (int)Math.Min(r.Count, _filled[c])).ToArray();
        }
        return new AudioWindow(channels, starts, sampleRate, frames, reachedEnd);
    }
}
