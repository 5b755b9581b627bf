namespace ClapAudit.Audio;

/// <summary>
/// Ogg Vorbis through NVorbis (managed, MIT). Samples are not clipped, as with libvorbis. Decodes from the start
/// (NVorbis's seeking is not used: exactness is proven only for the sequential decode) and keeps the frames asked
/// for. The frame count offered to the caller is NVorbis's TotalSamples (the last page's granule position); the
/// decode stops after the kept frames, and if it meets the end first its own count is the one returned.
/// </summary>
internal static class VorbisDecoder
{
    public static AudioWindow Decode(Stream stream, string source, Func<AudioInfo, FrameRange[]> choose, long? frames)
    {
        using var reader = new NVorbis.VorbisReader(stream, closeOnDispose: false);
        reader.ClipSamples = false; // lossy decoding can overshoot 1.0; libvorbis (soundfile, torchaudio) does not clip either
        int channels = reader.Channels;
        if (channels < 1) throw AudioDecoder.Invalid(source, "Vorbis stream declares no channels");
        long? declared = frames ?? (reader.TotalSamples > 0 ? reader.TotalSamples : null);
        var sink = new WindowSink(choose(new AudioInfo(reader.SampleRate, channels, declared)), channels, declared);
        var buffer = new float[4096 * channels];
        long decoded = 0;
        int read;
        while (!sink.Done(decoded) && (read = reader.ReadSamples(buffer, 0, buffer.Length)) > 0)
        {
            sink.AddInterleaved(decoded, buffer.AsSpan(0, read), channels);
            decoded += read / channels;
        }
        bool reachedEnd = !sink.Done(decoded);
        return sink.Finish(reader.SampleRate, reachedEnd ? decoded : declared!.Value, reachedEnd);
    }
}
