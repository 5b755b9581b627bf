namespace ClapAudit.Audio;

/// <summary>
/// MPEG-1/2 Layer III (and I/II) through NLayer (managed, MIT). NLayer does not remove the decoder's
/// 529-sample start-up delay that libmpg123 (used by libsndfile and torchaudio) trims with a LAME
/// tag, so its output lags theirs by 529 samples (12 ms at 44.1 kHz); the samples themselves agree
/// within about 1e-6. Decodes from the start and keeps the frames asked for. An MP3 states no frame count that
/// is proven to equal the decode's, so the count is the decode's own: the decode runs to the end unless an
/// earlier pass counted the frames, when it stops after the kept frames.
/// </summary>
internal static class Mp3Decoder
{
    public static AudioWindow Decode(Stream stream, string source, Func<AudioInfo, FrameRange[]> choose, long? frames)
    {
        using var mpeg = new NLayer.MpegFile(stream);
        int channels = mpeg.Channels;
        if (channels < 1) throw AudioDecoder.Invalid(source, "no MPEG audio frames found");
        var sink = new WindowSink(choose(new AudioInfo(mpeg.SampleRate, channels, frames)), channels, frames);
        var buffer = new float[4608 * channels];
        long decoded = 0;
        int read;
        while (!sink.Done(decoded) && (read = mpeg.ReadSamples(buffer, 0, buffer.Length)) > 0)
        {
            sink.AddInterleaved(decoded, buffer.AsSpan(0, read), channels);
            decoded += read / channels;
        }
        bool reachedEnd = !sink.Done(decoded);
        return sink.Finish(mpeg.SampleRate, reachedEnd ? decoded : frames!.Value, reachedEnd);
    }
}
