using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>
/// Decodes an audio file to planar floats, choosing the decoder from the file's first bytes
/// (RIFF/WAVE, fLaC, OggS Vorbis, MP3 with an ID3 tag or a frame sync), not from its extension.
/// Every decode is a window decode (<c>DecodeWindow</c>): the file is read through a stream, and
/// the whole-file decode is the window that holds every frame.
/// </summary>
public static class AudioDecoder
{
    /// <summary>The whole file.</summary>
    public static DecodedAudio Decode(string path)
    {
        var w = DecodeWindow(path, info => Enumerable.Repeat(FrameRange.All, info.ChannelCount).ToArray());
        return new DecodedAudio(w.Channels, w.SampleRate);
    }

    /// <summary>Decodes an in-memory file; <paramref name="source"/> names it in error messages.</summary>
    public static DecodedAudio Decode(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var w = DecodeWindow(stream, source, info => Enumerable.Repeat(FrameRange.All, info.ChannelCount).ToArray());
        return new DecodedAudio(w.Channels, w.SampleRate);
    }

    /// <summary>
    /// Decodes the frames of <paramref name="path"/> that <paramref name="choose"/> asks for, one range per
    /// channel, and the file's frame count. <paramref name="choose"/> sees the header (rate, channels, and the
    /// frame count when the format states it); it returns null when it needs a count the header does not give,
    /// and is then called again after a counting pass (a second decode that keeps nothing). It is also called
    /// again, with the decoded count, when a decode meets the end before the count the header stated.
    /// </summary>
    public static AudioWindow DecodeWindow(string path, Func<AudioInfo, FrameRange[]?> choose)
    {
        if (!File.Exists(path)) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: audio file not found");
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16); }
        catch (IOException e) { throw Invalid(path, $"cannot read audio file: {e.Message}", e); }
        using (stream) return DecodeWindow(stream, path, choose);
    }

    /// <inheritdoc cref="DecodeWindow(string, Func{AudioInfo, FrameRange[]})"/>
    public static AudioWindow DecodeWindow(Stream stream, string source, Func<AudioInfo, FrameRange[]?> choose)
    {
        ArgumentNullException.ThrowIfNull(choose);
        AudioFormat format;
        try { format = DetectFormat(stream); }
        catch (IOException e) { throw Invalid(source, $"cannot read audio file: {e.Message}", e); }
        AudioWindow? audio = null;
        long? counted = null;
        for (int pass = 0; pass < 2 && audio is null; pass++)
        {
            long? offered = null;
            bool deferred = false;
            FrameRange[] Choose(AudioInfo info)
            {
                offered = info.Frames;
                var ranges = choose(info);
                if (ranges is not null && ranges.Length != info.ChannelCount)
                    throw new ArgumentException($"{ranges.Length} frame ranges for {info.ChannelCount} channels");
                if (ranges is null && info.Frames is null) deferred = true;
                return ranges ?? Enumerable.Repeat(FrameRange.None, info.ChannelCount).ToArray();
            }
            stream.Position = 0;
            var w = DecodeOnce(stream, source, format, Choose, counted);
            // A counting pass, or a header whose count the decode disproved: decode again with the real count.
            if (pass == 0 && (deferred || (w.ReachedEnd && offered is long o && o != w.Frames)))
                counted = w.Frames;
            else audio = w;
        }
        if (audio!.Frames == 0 || audio.ChannelCount == 0)
            throw Invalid(source, "the file holds no audio samples");
        if (audio.SampleRate <= 0)
            throw Invalid(source, $"invalid sample rate {audio.SampleRate}");
        return audio;
    }

    private static AudioWindow DecodeOnce(Stream stream, string source, AudioFormat format,
        Func<AudioInfo, FrameRange[]> choose, long? frames)
    {
        try
        {
            return format switch
            {
                AudioFormat.Wav => WavDecoder.Decode(stream, source, choose),
                AudioFormat.Flac => FlacDecoder.Decode(stream, source, choose, frames),
                AudioFormat.OggVorbis => VorbisDecoder.Decode(stream, source, choose, frames),
                AudioFormat.Mp3 => Mp3Decoder.Decode(stream, source, choose, frames),
                AudioFormat.OggOther => throw Invalid(source, "an Ogg stream that is not Vorbis (Opus/FLAC-in-Ogg are not supported)"),
                _ => throw Invalid(source, "not a recognised audio format (expected WAV, FLAC, Ogg Vorbis or MP3 content)"),
            };
        }
        catch (ClapAuditException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The managed Vorbis/MP3 decoders signal corrupt input with assorted exception types
            // (InvalidDataException, IndexOutOfRange, NullReference, ...): all mean "this file is bad".
            throw Invalid(source, $"corrupt or unsupported audio data ({e.Message})", e);
        }
    }

    internal enum AudioFormat { Unknown, Wav, Flac, OggVorbis, OggOther, Mp3 }

    /// <summary>
    /// Reads the first bytes of <paramref name="stream"/> and, behind an ID3v2 tag (which can precede FLAC too),
    /// the four after it.
    /// </summary>
    private static AudioFormat DetectFormat(Stream stream)
    {
        var head = new byte[64];
        stream.Position = 0;
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var b = head.AsSpan(0, n);
        if (n >= 10 && b[..3].SequenceEqual("ID3"u8))
        {
            long after = 10 + ((b[6] & 0x7F) << 21 | (b[7] & 0x7F) << 14 | (b[8] & 0x7F) << 7 | (b[9] & 0x7F))
                         + ((b[5] & 0x10) != 0 ? 10 : 0);
            Span<byte> magic = stackalloc byte[4];
            stream.Position = after;
            if (after + 4 <= stream.Length && stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4
                && magic.SequenceEqual("fLaC"u8))
                return AudioFormat.Flac;
            return AudioFormat.Mp3;
        }
        return DetectFormat(b);
    }

    /// <summary>The format from a file's first bytes, an ID3v2 tag already looked behind.</summary>
    private static AudioFormat DetectFormat(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b.Slice(8, 4).SequenceEqual("WAVE"u8)) return AudioFormat.Wav;
        if (b.Length >= 4 && b[..4].SequenceEqual("fLaC"u8)) return AudioFormat.Flac;
        if (b.Length >= 4 && b[..4].SequenceEqual("OggS"u8))
            return b.Length >= 35 && b.Slice(28, 7).SequenceEqual("\u0001vorbis"u8) ? AudioFormat.OggVorbis : AudioFormat.OggOther;
        if (b.Length >= 4 && IsMpegFrameHeader(b)) return AudioFormat.Mp3;
        return AudioFormat.Unknown;
    }

    private static bool IsMpegFrameHeader(ReadOnlySpan<byte> b) =>
        b[0] == 0xFF && (b[1] & 0xE0) == 0xE0 // 11-bit sync
        && ((b[1] >> 3) & 3) != 1             // version not reserved
        && ((b[1] >> 1) & 3) != 0             // layer not reserved
        && (b[2] >> 4) != 15                  // bitrate index not bad
        && ((b[2] >> 2) & 3) != 3;            // sample rate not reserved

    internal static ClapAuditException Invalid(string source, string problem, Exception? inner = null) =>
        new(ErrorKind.InvalidData, $"{source}: {problem}", inner);
}
