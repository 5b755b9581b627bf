namespace ClapAudit.Audio;

/// <summary>
/// A compact FLAC decoder (no FLAC decoder is served on NuGet here): STREAMINFO, frames with fixed or
/// variable block size, CONSTANT/VERBATIM/FIXED/LPC subframes, Rice and Rice2 partitioned residuals
/// with escape codes, wasted bits, left/side, side/right and mid/side stereo, 4 to 32 bits per sample.
/// Each frame's CRC-16 is checked. Samples scale by 1/2^(bits-1), as libsndfile does.
/// </summary>
internal static class FlacDecoder
{
    /// <summary>
    /// Decodes from the start, reading the file through a small buffer, and keeps the frames
    /// <paramref name="choose"/> asks for (converted to float only there). With STREAMINFO's total (or an earlier
    /// pass's count, <paramref name="frames"/>) known, it stops after the last kept frame.
    /// </summary>
    public static AudioWindow Decode(Stream stream, string source, Func<AudioInfo, FrameRange[]> choose, long? frames)
    {
        var r = new FlacBitReader(stream, source);
        long pos = 4;
        Span<byte> id3 = stackalloc byte[10];
        if (r.Length >= 10)
        {
            for (int i = 0; i < 10; i++) id3[i] = r.PeekByte(i);
            if (id3[0] == (byte)'I' && id3[1] == (byte)'D' && id3[2] == (byte)'3')
                pos = 10 + ((id3[6] & 0x7F) << 21 | (id3[7] & 0x7F) << 14 | (id3[8] & 0x7F) << 7 | (id3[9] & 0x7F))
                      + ((id3[5] & 0x10) != 0 ? 10 : 0) + 4;
        }
        r.BytePosition = pos;

        // Metadata blocks: only STREAMINFO matters.
        int rate = 0, channels = 0, bps = 0;
        long totalSamples = 0;
        bool last = false, haveInfo = false;
        while (!last)
        {
            r.Retain();
            last = r.ReadBits(1) == 1;
            int type = (int)r.ReadBits(7);
            int length = (int)r.ReadBits(24);
            long start = r.BytePosition;
            if (type == 0)
            {
                r.ReadBits(16);
                r.ReadBits(16); // max block size
                r.ReadBits(24); r.ReadBits(24);
                rate = (int)r.ReadBits(20);
                channels = (int)r.ReadBits(3) + 1;
                bps = (int)r.ReadBits(5) + 1;
                totalSamples = (long)r.ReadBits(36);
                haveInfo = true;
            }
            if (type == 127) throw AudioDecoder.Invalid(source, "FLAC metadata block of invalid type 127");
            r.BytePosition = start + length;
            if (r.BytePosition > r.Length) throw AudioDecoder.Invalid(source, "FLAC is truncated inside its metadata");
        }
        if (!haveInfo) throw AudioDecoder.Invalid(source, "FLAC has no STREAMINFO block");

        long? known = totalSamples != 0 ? totalSamples : frames;
        var sink = new WindowSink(choose(new AudioInfo(rate, channels, known)), channels, known);
        double scale = 1.0 / (1L << (bps - 1));
        long decoded = 0;
        var work = new long[channels][];
        while (r.BytePosition + 2 <= r.Length && (totalSamples == 0 || decoded < totalSamples) && !sink.Done(decoded))
        {
            r.Retain();
            long at = r.BytePosition;
            if (r.PeekByte(at) != 0xFF || (r.PeekByte(at + 1) & 0xFE) != 0xF8)
            {
                if (r.PeekByte(at) == (byte)'T' && at + 128 == r.Length) break; // ID3v1 tag
                throw AudioDecoder.Invalid(source, $"FLAC frame sync expected at byte {at}");
            }
            int blockSize = DecodeFrame(r, channels, bps, rate, work, source);
            // Samples past STREAMINFO's total are dropped, as a whole decode truncates to it.
            int usable = totalSamples != 0 ? (int)Math.Min(blockSize, totalSamples - decoded) : blockSize;
            for (int c = 0; c < channels; c++)
            {
                var dst = sink.Slot(c, decoded, usable, out int skip);
                var w = work[c];
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)((int)w[skip + i] * scale);
            }
            decoded += blockSize;
        }
        bool stopped = sink.Done(decoded) && (totalSamples == 0 || decoded < totalSamples);
        if (!stopped && totalSamples != 0 && decoded < totalSamples)
            throw AudioDecoder.Invalid(source, $"FLAC is truncated: {decoded} of {totalSamples} samples decoded");
        long count = totalSamples != 0 ? totalSamples : stopped ? known!.Value : decoded;
        if (count > int.MaxValue) throw AudioDecoder.Invalid(source, "FLAC stream too long");
        return sink.Finish(rate, count, reachedEnd: !stopped);
    }

    private static int DecodeFrame(FlacBitReader r, int streamChannels, int streamBps, int streamRate, long[][] work,
        string source)
    {
        long frameStart = r.BytePosition;
        r.Retain(); // the CRC-16 below reads the frame's bytes again
        r.ReadBits(15); // sync + reserved
        r.ReadBits(1);  // blocking strategy
        int bsCode = (int)r.ReadBits(4);
        int rateCode = (int)r.ReadBits(4);
        int chCode = (int)r.ReadBits(4);
        int sizeCode = (int)r.ReadBits(3);
        r.ReadBits(1);
        // UTF-8-style coded frame/sample number.
        uint first = (uint)r.ReadBits(8);
        int extra = first < 0x80 ? 0 : first >= 0xFE ? 6 : first >= 0xFC ? 5 : first >= 0xF8 ? 4 : first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : 1;
        for (int i = 0; i < extra; i++) r.ReadBits(8);
        int blockSize = bsCode switch
        {
            0 => throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} uses reserved block size code 0"),
            1 => 192,
            >= 2 and <= 5 => 576 << (bsCode - 2),
            6 => (int)r.ReadBits(8) + 1,
            7 => (int)r.ReadBits(16) + 1,
            _ => 256 << (bsCode - 8),
        };
        if (rateCode == 12) r.ReadBits(8);
        else if (rateCode is 13 or 14) r.ReadBits(16);
        else if (rateCode == 15) throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} has an invalid sample rate code");
        r.ReadBits(8); // CRC-8 of the header
        int bps = sizeCode switch
        {
            0 => streamBps,
            1 => 8,
            2 => 12,
            4 => 16,
            5 => 20,
            6 => 24,
            7 => 32,
            _ => throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} has a reserved sample size code"),
        };
        int channels = chCode <= 7 ? chCode + 1 : chCode <= 10 ? 2
            : throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} has a reserved channel assignment {chCode}");
        if (channels != streamChannels)
            throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} has {channels} channels, STREAMINFO says {streamChannels}");
        _ = streamRate;

        for (int c = 0; c < channels; c++)
        {
            if (work[c] is null || work[c].Length < blockSize) work[c] = new long[Math.Max(blockSize, 4096)];
            // The side channel carries one extra bit.
            int subBps = bps + ((chCode == 8 && c == 1) || (chCode == 9 && c == 0) || (chCode == 10 && c == 1) ? 1 : 0);
            DecodeSubframe(r, work[c], blockSize, subBps, source, frameStart);
        }
        r.AlignToByte();
        long crcEnd = r.BytePosition;
        ushort crc = (ushort)r.ReadBits(16);
        if (Crc16(r.Retained(frameStart, crcEnd)) != crc)
            throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} fails its CRC-16 check (corrupt data)");

        if (chCode >= 8)
        {
            long[] a = work[0], b = work[1];
            for (int i = 0; i < blockSize; i++)
            {
                switch (chCode)
                {
                    case 8: b[i] = a[i] - b[i]; break;                      // left, side -> right
                    case 9: a[i] = a[i] + b[i]; break;                      // side, right -> left
                    default:                                                // mid, side
                        long side = b[i], mid = (a[i] << 1) | (side & 1);
                        a[i] = (mid + side) >> 1;
                        b[i] = (mid - side) >> 1;
                        break;
                }
            }
        }
        return blockSize;
    }

    private static readonly int[][] FixedCoefficients = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];

    private static void DecodeSubframe(FlacBitReader r, long[] s, int n, int bps, string source, long frameStart)
    {
        if (r.ReadBits(1) != 0) throw AudioDecoder.Invalid(source, $"FLAC subframe padding bit set in frame at byte {frameStart}");
        int type = (int)r.ReadBits(6);
        int wasted = 0;
        if (r.ReadBits(1) == 1) wasted = r.ReadUnary() + 1;
        bps -= wasted;
        if (bps <= 0) throw AudioDecoder.Invalid(source, $"FLAC subframe in frame at byte {frameStart} has more wasted bits than sample bits");
        if (type == 0)
        {
            long v = r.ReadSigned(bps);
            Array.Fill(s, v, 0, n);
        }
        else if (type == 1)
        {
            for (int i = 0; i < n; i++) s[i] = r.ReadSigned(bps);
        }
        else if (type is >= 8 and <= 12)
        {
            int order = type - 8;
            if (order > n) throw AudioDecoder.Invalid(source, $"FLAC FIXED order {order} exceeds block size {n} at byte {frameStart}");
            for (int i = 0; i < order; i++) s[i] = r.ReadSigned(bps);
            ReadResidual(r, s, n, order, source, frameStart);
            var c = FixedCoefficients[order];
            for (int i = order; i < n; i++)
            {
                long p = 0;
                for (int j = 0; j < order; j++) p += c[j] * s[i - 1 - j];
                s[i] += p;
            }
        }
        else if (type >= 32)
        {
            int order = type - 31;
            if (order > n) throw AudioDecoder.Invalid(source, $"FLAC LPC order {order} exceeds block size {n} at byte {frameStart}");
            for (int i = 0; i < order; i++) s[i] = r.ReadSigned(bps);
            int precision = (int)r.ReadBits(4) + 1;
            if (precision == 16) throw AudioDecoder.Invalid(source, $"FLAC LPC precision code 15 (invalid) at byte {frameStart}");
            int shift = (int)r.ReadSigned(5);
            if (shift < 0) throw AudioDecoder.Invalid(source, $"FLAC negative LPC shift at byte {frameStart}");
            var coef = new long[order];
            for (int j = 0; j < order; j++) coef[j] = r.ReadSigned(precision);
            ReadResidual(r, s, n, order, source, frameStart);
            for (int i = order; i < n; i++)
            {
                long p = 0;
                for (int j = 0; j < order; j++) p += coef[j] * s[i - 1 - j];
                s[i] += p >> shift;
            }
        }
        else throw AudioDecoder.Invalid(source, $"FLAC reserved subframe type {type} at byte {frameStart}");
        if (wasted > 0)
            for (int i = 0; i < n; i++) s[i] <<= wasted;
    }

    private static void ReadResidual(FlacBitReader r, long[] s, int n, int order, string source, long frameStart)
    {
        int method = (int)r.ReadBits(2);
        if (method > 1) throw AudioDecoder.Invalid(source, $"FLAC reserved residual coding method {method} at byte {frameStart}");
        int paramBits = method == 0 ? 4 : 5, escape = method == 0 ? 15 : 31;
        int partitionOrder = (int)r.ReadBits(4);
        int partitions = 1 << partitionOrder;
        if ((n >> partitionOrder) < order || (n & (partitions - 1)) != 0)
            throw AudioDecoder.Invalid(source, $"FLAC residual partition order {partitionOrder} does not fit block size {n} at byte {frameStart}");
        int i = order;
        for (int p = 0; p < partitions; p++)
        {
            int count = (n >> partitionOrder) - (p == 0 ? order : 0);
            int k = (int)r.ReadBits(paramBits);
            if (k == escape)
            {
                int bits = (int)r.ReadBits(5);
                for (int j = 0; j < count; j++) s[i++] = bits == 0 ? 0 : r.ReadSigned(bits);
            }
            else
            {
                for (int j = 0; j < count; j++)
                {
                    ulong u = ((ulong)(uint)r.ReadUnary() << k) | (k == 0 ? 0 : r.ReadBits(k));
                    s[i++] = (long)(u >> 1) ^ -(long)(u & 1);
                }
            }
        }
    }

    private static readonly ushort[] CrcTable = BuildCrcTable();

    private static ushort[] BuildCrcTable()
    {
        var t = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int c = i << 8;
            for (int b = 0; b < 8; b++) c = (c & 0x8000) != 0 ? (c << 1) ^ 0x8005 : c << 1;
            t[i] = (ushort)c;
        }
        return t;
    }

    private static ushort Crc16(ReadOnlySpan<byte> d)
    {
        ushort crc = 0;
        foreach (byte b in d) crc = (ushort)((crc << 8) ^ CrcTable[(crc >> 8) ^ b]);
        return crc;
    }
}

/// <summary>
/// MSB-first bit reader over a stream, through a buffer that holds the bytes from the last <see cref="Retain"/>
/// mark (a frame's start, for its CRC) onwards and grows only when one frame outgrows it: memory is a frame or
/// 64 KiB, not the file. Positions are absolute byte offsets in the stream.
/// </summary>
internal sealed class FlacBitReader
{
    private readonly Stream _stream;
    private readonly string _source;
    private byte[] _buf = new byte[1 << 16];
    private long _bufStart, _retain;
    private int _bufLen;
    private long _bit;

    public FlacBitReader(Stream stream, string source)
    {
        _stream = stream;
        _source = source;
        Length = stream.Length;
    }

    /// <summary>The stream's length in bytes.</summary>
    public long Length { get; }

    public long BytePosition
    {
        get => _bit >> 3;
        set => _bit = value << 3;
    }

    /// <summary>Keeps the bytes from the current position on in the buffer (until the next mark).</summary>
    public void Retain() => _retain = BytePosition;

    /// <summary>Bytes [from, to), which must lie after the last <see cref="Retain"/> mark and have been read.</summary>
    public ReadOnlySpan<byte> Retained(long from, long to) => _buf.AsSpan((int)(from - _bufStart), (int)(to - from));

    public void AlignToByte() => _bit = (_bit + 7) & ~7L;

    /// <summary>The byte at <paramref name="at"/> (which must be before <see cref="Length"/>).</summary>
    public byte PeekByte(long at)
    {
        if (!Ensure(at, 1)) throw Truncated();
        return _buf[at - _bufStart];
    }

    /// <summary>
    /// Makes bytes [at, at + count) buffered; false when the stream ends first. Refills keep the bytes from the
    /// retain mark (or from <paramref name="at"/>, if the mark is behind the buffer) and read as much as fits.
    /// </summary>
    private bool Ensure(long at, int count)
    {
        if (at >= _bufStart && at + count <= _bufStart + _bufLen) return true;
        if (at + count > Length) return false;
        long from = _retain >= _bufStart && _retain <= at ? _retain : at;
        long need = at + count - from;
        if (need > _buf.Length)
        {
            var bigger = new byte[Math.Max(2L * _buf.Length, need)];
            if (from >= _bufStart && from < _bufStart + _bufLen)
                Buffer.BlockCopy(_buf, (int)(from - _bufStart), bigger, 0, (int)(_bufStart + _bufLen - from));
            _buf = bigger;
        }
        else if (from >= _bufStart && from < _bufStart + _bufLen)
            Buffer.BlockCopy(_buf, (int)(from - _bufStart), _buf, 0, (int)(_bufStart + _bufLen - from));
        _bufLen = from >= _bufStart && from < _bufStart + _bufLen ? (int)(_bufStart + _bufLen - from) : 0;
        _bufStart = from;
        _stream.Position = _bufStart + _bufLen;
        while (_bufLen < _buf.Length)
        {
            int n = _stream.Read(_buf, _bufLen, _buf.Length - _bufLen);
            if (n == 0) break;
            _bufLen += n;
        }
        return at + count <= _bufStart + _bufLen;
    }

    private ClapAudit.Common.ClapAuditException Truncated() =>
        AudioDecoder.Invalid(_source, "FLAC is truncated (unexpected end of data)");

    public ulong ReadBits(int n)
    {
        if (n == 0) return 0;
        long at = _bit >> 3;
        if (n <= 56 && Ensure(at, 8))
        {
            // Fast path: one big-endian 64-bit load covers the (at most 56 + 7) bits needed.
            var span = _buf.AsSpan((int)(at - _bufStart), 8);
            ulong word = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(span);
            ulong bits = (word << (int)(_bit & 7)) >> (64 - n);
            _bit += n;
            return bits;
        }
        ulong v = 0;
        while (n > 0)
        {
            long idx = _bit >> 3;
            if (!Ensure(idx, 1)) throw Truncated();
            int off = (int)(_bit & 7), avail = 8 - off, take = Math.Min(avail, n);
            v = (v << take) | (uint)((_buf[idx - _bufStart] >> (avail - take)) & ((1 << take) - 1));
            _bit += take;
            n -= take;
        }
        return v;
    }

    public long ReadSigned(int n)
    {
        ulong v = ReadBits(n);
        int sh = 64 - n;
        return (long)(v << sh) >> sh;
    }

    /// <summary>Counts zero bits up to and including the next one bit.</summary>
    public int ReadUnary()
    {
        int count = 0;
        while (true)
        {
            long idx = _bit >> 3;
            if (!Ensure(idx, 1)) throw Truncated();
            int off = (int)(_bit & 7);
            int rest = (_buf[idx - _bufStart] << off) & 0xFF;
            if (rest == 0)
            {
                count += 8 - off;
                _bit += 8 - off;
                continue;
            }
            int lz = System.Numerics.BitOperations.LeadingZeroCount((uint)rest) - 24;
            count += lz;
            _bit += lz + 1;
            return count;
        }
    }
}
