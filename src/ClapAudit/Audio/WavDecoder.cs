using System.Buffers.Binary;

namespace ClapAudit.Audio;

/// <summary>
/// RIFF/WAVE reader: PCM 8 (unsigned), 16, 24 and 32-bit integer, 32 and 64-bit IEEE float, plain or
/// WAVE_FORMAT_EXTENSIBLE. Integers scale by 1/2^(bits-1) (8-bit: (b-128)/128), as libsndfile does,
/// so the floats equal soundfile's. Own code rather than NAudio.Core: the format fits in a page, and
/// owning it gives libsndfile-identical scaling and errors that name the file and the fault
/// (truncated data chunk, unsupported encoding) instead of library exceptions.
/// </summary>
internal static class WavDecoder
{
    private const ushort Pcm = 1, IeeeFloat = 3, Extensible = 0xFFFE;

    public static DecodedAudio Decode(byte[] b, string source)
    {
        int pos = 12;
        ushort tag = 0, channels = 0, bits = 0, blockAlign = 0;
        int rate = 0;
        bool haveFmt = false;
        while (pos + 8 <= b.Length)
        {
            var id = b.AsSpan(pos, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4, 4));
            int body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + size > b.Length) throw AudioDecoder.Invalid(source, "WAV 'fmt ' chunk is truncated");
                var f = b.AsSpan(body);
                tag = BinaryPrimitives.ReadUInt16LittleEndian(f);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(f[4..]);
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
                if (tag == Extensible)
                {
                    if (size < 40) throw AudioDecoder.Invalid(source, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is shorter than 40 bytes");
                    tag = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]); // first two bytes of the SubFormat GUID
                }
                haveFmt = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFmt) throw AudioDecoder.Invalid(source, "WAV 'data' chunk comes before the 'fmt ' chunk");
                long available = b.Length - body;
                // Streaming writers leave 0 or 0xFFFFFFFF when they could not seek back: take the rest.
                if (size == 0 || size == 0xFFFFFFFF) size = available;
                else if (size > available)
                    throw AudioDecoder.Invalid(source, $"WAV is truncated: the data chunk declares {size} bytes but only {available} follow");
                return Convert(b.AsSpan(body, (int)size), tag, channels, rate, bits, blockAlign, source);
            }
            long next = body + size + (size & 1); // chunks are word-aligned
            if (next > b.Length) break;
            pos = (int)next;
        }
        throw AudioDecoder.Invalid(source, haveFmt ? "WAV has no 'data' chunk" : "WAV has no 'fmt ' chunk (truncated header?)");
    }

    private static DecodedAudio Convert(ReadOnlySpan<byte> data, ushort tag, int channels, int rate, int bits, int blockAlign, string source)
    {
        if (channels < 1) throw AudioDecoder.Invalid(source, $"WAV declares {channels} channels");
        if (rate <= 0) throw AudioDecoder.Invalid(source, $"WAV declares sample rate {rate}");
        bool ok = (tag == Pcm && bits is 8 or 16 or 24 or 32) || (tag == IeeeFloat && bits is 32 or 64);
        if (!ok) throw AudioDecoder.Invalid(source, $"unsupported WAV encoding (format tag {tag}, {bits} bits); expected PCM 8/16/24/32-bit or float 32/64-bit");
        int bytesPer = bits / 8;
        if (blockAlign != bytesPer * channels)
            throw AudioDecoder.Invalid(source, $"WAV block align {blockAlign} does not match {channels} channels x {bits} bits");
        int frames = data.Length / blockAlign;
        var outCh = new float[channels][];
        for (int c = 0; c < channels; c++) outCh[c] = new float[frames];
        for (int i = 0; i < frames; i++)
        {
            var frame = data.Slice(i * blockAlign, blockAlign);
            for (int c = 0; c < channels; c++)
            {
                var s = frame.Slice(c * bytesPer, bytesPer);
                outCh[c][i] = (tag, bits) switch
                {
                    (Pcm, 8) => (s[0] - 128) / 128f,
                    (Pcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                    (Pcm, 24) => ((s[0] | s[1] << 8 | s[2] << 16) << 8 >> 8) / 8388608f,
                    (Pcm, 32) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
                    (_, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                };
            }
        }
        return new DecodedAudio(outCh, rate);
    }
}
