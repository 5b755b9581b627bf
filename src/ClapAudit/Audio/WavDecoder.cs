using System.Buffers.Binary;

namespace ClapAudit.Audio;

/// <summary>
/// RIFF/WAVE reader: PCM 8 (unsigned), 16, 24 and 32-bit integer, 32 and 64-bit IEEE float, plain or
/// WAVE_FORMAT_EXTENSIBLE. Integers scale by 1/2^(bits-1) (8-bit: (b-128)/128), as libsndfile does,
/// so the floats equal soundfile's. Own code rather than NAudio.Core: the format fits in a page, and
/// owning it gives libsndfile-identical scaling and errors that name the file and the fault
/// (truncated data chunk, unsupported encoding) instead of library exceptions, and reads from a stream only
/// the header and the frames asked for.
/// </summary>
internal static class WavDecoder
{
    private const ushort Pcm = 1, IeeeFloat = 3, Extensible = 0xFFFE;

    /// <summary>
    /// Reads the header chunks, then seeks to and reads only the bytes of the frames <paramref name="choose"/>
    /// asks for: a 5 s crop of a 10-minute file reads 5 s (plus the resampler's reach), not the file.
    /// </summary>
    public static AudioWindow Decode(Stream stream, string source, Func<AudioInfo, FrameRange[]> choose)
    {
        long length = stream.Length, pos = 12;
        ushort tag = 0, channels = 0, bits = 0, blockAlign = 0;
        int rate = 0;
        bool haveFmt = false;
        Span<byte> head = stackalloc byte[8];
        Span<byte> f = stackalloc byte[40];
        while (pos + 8 <= length)
        {
            ReadAt(stream, pos, head);
            var id = head[..4];
            long size = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            long body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + size > length)
                    throw AudioDecoder.Invalid(source, "WAV 'fmt ' chunk is truncated");
                f.Clear();
                ReadAt(stream, body, f[..(int)Math.Min(size, f.Length)]);
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
                long available = length - body;
                // Streaming writers leave 0 or 0xFFFFFFFF when they could not seek back: take the rest.
                if (size == 0 || size == 0xFFFFFFFF) size = available;
                else if (size > available)
                    throw AudioDecoder.Invalid(source, $"WAV is truncated: the data chunk declares {size} bytes but only {available} follow");
                return Convert(stream, body, size, tag, channels, rate, bits, blockAlign, source, choose);
            }
            long next = body + size + (size & 1); // chunks are word-aligned
            if (next > length) break;
            pos = next;
        }
        throw AudioDecoder.Invalid(source, haveFmt ? "WAV has no 'data' chunk" : "WAV has no 'fmt ' chunk (truncated header?)");
    }

    private static AudioWindow Convert(Stream stream, long dataStart, long dataSize, ushort tag, int channels, int rate,
        int bits, int blockAlign, string source, Func<AudioInfo, FrameRange[]> choose)
    {
        if (channels < 1) throw AudioDecoder.Invalid(source, $"WAV declares {channels} channels");
        if (rate <= 0) throw AudioDecoder.Invalid(source, $"WAV declares sample rate {rate}");
        bool ok = (tag == Pcm && bits is 8 or 16 or 24 or 32) || (tag == IeeeFloat && bits is 32 or 64);
        if (!ok) throw AudioDecoder.Invalid(source, $"unsupported WAV encoding (format tag {tag}, {bits} bits); expected PCM 8/16/24/32-bit or float 32/64-bit");
        int bytesPer = bits / 8;
        if (blockAlign != bytesPer * channels)
            throw AudioDecoder.Invalid(source, $"WAV block align {blockAlign} does not match {channels} channels x {bits} bits");
        long frames = dataSize / blockAlign;
        var ranges = choose(new AudioInfo(rate, channels, frames));
        var sink = new WindowSink(ranges, channels, frames);
        // Each distinct range is read once (all channels share one in Mean mode; Concat may give each its own).
        var buffer = new byte[Math.Max(blockAlign, (1 << 16) / blockAlign * blockAlign)];
        foreach (var range in ranges.Select(r => r.ClipTo(frames)).Where(r => r.Count > 0).Distinct())
        {
            var wanted = Enumerable.Range(0, channels).Where(c => ranges[c].ClipTo(frames) == range).ToArray();
            for (long first = range.Start; first < range.End;)
            {
                int n = (int)Math.Min(range.End - first, buffer.Length / blockAlign);
                var bytes = buffer.AsSpan(0, n * blockAlign);
                ReadAt(stream, dataStart + first * blockAlign, bytes);
                foreach (int c in wanted)
                {
                    var dst = sink.Slot(c, first, n, out _);
                    for (int i = 0; i < n; i++)
                        dst[i] = Sample(bytes.Slice(i * blockAlign + c * bytesPer, bytesPer), tag, bits);
                }
                first += n;
            }
        }
        return sink.Finish(rate, frames, reachedEnd: true);
    }

    private static float Sample(ReadOnlySpan<byte> s, ushort tag, int bits) => (tag, bits) switch
    {
        (Pcm, 8) => (s[0] - 128) / 128f,
        (Pcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
        (Pcm, 24) => ((s[0] | s[1] << 8 | s[2] << 16) << 8 >> 8) / 8388608f,
        (Pcm, 32) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
        (_, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
        _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
    };

    private static void ReadAt(Stream stream, long position, Span<byte> into)
    {
        stream.Position = position;
        stream.ReadExactly(into); // the caller checked the bytes are there (within the stream's length)
    }
}
