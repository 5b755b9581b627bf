namespace ClapAudit.Audio;

/// <summary>
/// MPEG-1/2 Layer III (and I/II) through NLayer (managed, MIT). NLayer does not remove the decoder's
/// 529-sample start-up delay that libmpg123 (used by libsndfile and torchaudio) trims with a LAME
/// tag, so its output lags theirs by 529 samples (12 ms at 44.1 kHz); the samples themselves agree
/// within about 1e-6.
/// </summary>
internal static class Mp3Decoder
{
    public static DecodedAudio Decode(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var mpeg = new NLayer.MpegFile(stream);
        int channels = mpeg.Channels;
        if (channels < 1) throw AudioDecoder.Invalid(source, "no MPEG audio frames found");
        var planar = new List<float>[channels];
        for (int c = 0; c < channels; c++) planar[c] = new List<float>();
        var buffer = new float[4608 * channels];
        int read;
        while ((read = mpeg.ReadSamples(buffer, 0, buffer.Length)) > 0)
            for (int i = 0; i < read; i++) planar[i % channels].Add(buffer[i]);
        return new DecodedAudio(planar.Select(l => l.ToArray()).ToArray(), mpeg.SampleRate);
    }
}
