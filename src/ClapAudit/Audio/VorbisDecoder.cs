namespace ClapAudit.Audio;

/// <summary>Ogg Vorbis through NVorbis (managed, MIT). Samples are not clipped, as with libvorbis.</summary>
internal static class VorbisDecoder
{
    public static DecodedAudio Decode(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = new NVorbis.VorbisReader(stream, closeOnDispose: false);
        reader.ClipSamples = false; // lossy decoding can overshoot 1.0; libvorbis (soundfile, torchaudio) does not clip either
        int channels = reader.Channels;
        if (channels < 1) throw AudioDecoder.Invalid(source, "Vorbis stream declares no channels");
        var planar = new List<float>[channels];
        for (int c = 0; c < channels; c++) planar[c] = new List<float>((int)Math.Clamp(reader.TotalSamples, 0, 1 << 26));
        var buffer = new float[4096 * channels];
        int read;
        while ((read = reader.ReadSamples(buffer, 0, buffer.Length)) > 0)
            for (int i = 0; i < read; i++) planar[i % channels].Add(buffer[i]);
        return new DecodedAudio(planar.Select(l => l.ToArray()).ToArray(), reader.SampleRate);
    }
}
