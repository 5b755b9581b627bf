using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>
/// Decodes an audio file to planar floats, choosing the decoder from the file's first bytes
/// (RIFF/WAVE, fLaC, OggS Vorbis, MP3 with an ID3 tag or a frame sync), not from its extension.
/// </summary>
public static class AudioDecoder
{
    public static DecodedAudio Decode(string path)
    {
        if (!File.Exists(path)) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: audio file not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: cannot read audio file: {e.Message}", e); }
        return Decode(bytes, path);
    }

    /// <summary>Decodes an in-memory file; <paramref name="source"/> names it in error messages.</summary>
    public static DecodedAudio Decode(byte[] bytes, string source)
    {
        DecodedAudio audio;
        try
        {
            audio = DetectFormat(bytes) switch
            {
                AudioFormat.Wav => WavDecoder.Decode(bytes, source),
                AudioFormat.Flac => FlacDecoder.Decode(bytes, source),
                AudioFormat.OggVorbis => VorbisDecoder.Decode(bytes, source),
                AudioFormat.Mp3 => Mp3Decoder.Decode(bytes, source),
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
        if (audio.Frames == 0 || audio.ChannelCount == 0)
            throw Invalid(source, "the file holds no audio samples");
        if (audio.SampleRate <= 0)
            throw Invalid(source, $"invalid sample rate {audio.SampleRate}");
        return audio;
    }

    internal enum AudioFormat { Unknown, Wav, Flac, OggVorbis, OggOther, Mp3 }

    internal static AudioFormat DetectFormat(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b.Slice(8, 4).SequenceEqual("WAVE"u8)) return AudioFormat.Wav;
        if (b.Length >= 4 && b[..4].SequenceEqual("fLaC"u8)) return AudioFormat.Flac;
        if (b.Length >= 4 && b[..4].SequenceEqual("OggS"u8))
            return b.Length >= 35 && b.Slice(28, 7).SequenceEqual("\u0001vorbis"u8) ? AudioFormat.OggVorbis : AudioFormat.OggOther;
        if (b.Length >= 10 && b[..3].SequenceEqual("ID3"u8))
        {
            // An ID3v2 tag can precede FLAC too; look behind it.
            int size = (b[6] & 0x7F) << 21 | (b[7] & 0x7F) << 14 | (b[8] & 0x7F) << 7 | (b[9] & 0x7F);
            int after = 10 + size + ((b[5] & 0x10) != 0 ? 10 : 0);
            if (after + 4 <= b.Length && b.Slice(after, 4).SequenceEqual("fLaC"u8)) return AudioFormat.Flac;
            return AudioFormat.Mp3;
        }
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
