namespace ClapAudit.Audio;

/// <summary>
/// A compact FLAC decoder (no FLAC decoder is served on NuGet here): STREAMINFO, frames with fixed or
/// variable block size, CONSTANT/VERBATIM/FIXED/LPC subframes, Rice and Rice2 partitioned residuals
/// with escape codes, wasted bits, left/side, side/right and mid/side stereo, 4 to 32 bits per sample.
/// Each frame's CRC-16 is checked. Samples scale by 1/2^(bits-1), as libsndfile does.
/// </summary>
internal static class FlacDecoder
{
    public static DecodedAudio Decode(byte[] data, string source)
    {
        var r = new FlacBitReader(data, source);
        int pos = 4;
        if (data.Length >= 10 && data[0] == (byte)'I' && data[1] == (byte)'D' && data[2] == (byte)'3')
            pos = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
                  + ((data[5] & 0x10) != 0 ? 10 : 0) + 4;
        r.BytePosition = pos;

        // Metadata blocks: only STREAMINFO matters.
        int rate = 0, channels = 0, bps = 0, maxBlock = 0;
        long totalSamples = 0;
        bool last = false, haveInfo = false;
        while (!last)
        {
            last = r.ReadBits(1) == 1;
            int type = (int)r.ReadBits(7);
            int length = (int)r.ReadBits(24);
            int start = r.BytePosition;
            if (type == 0)
            {
                r.ReadBits(16);
                maxBlock = (int)r.ReadBits(16);
                r.ReadBits(24); r.ReadBits(24);
                rate = (int)r.ReadBits(20);
                channels = (int)r.ReadBits(3) + 1;
                bps = (int)r.ReadBits(5) + 1;
                totalSamples = (long)r.ReadBits(36);
                haveInfo = true;
            }
            if (type == 127) throw AudioDecoder.Invalid(source, "FLAC metadata block of invalid type 127");
            r.BytePosition = start + length;
            if (r.BytePosition > data.Length) throw AudioDecoder.Invalid(source, "FLAC is truncated inside its metadata");
        }
        if (!haveInfo) throw AudioDecoder.Invalid(source, "FLAC has no STREAMINFO block");

        var output = new List<int[]>[channels];
        for (int c = 0; c < channels; c++) output[c] = new List<int[]>();
        long decoded = 0;
        var work = new long[channels][];
        while (r.BytePosition + 2 <= data.Length && (totalSamples == 0 || decoded < totalSamples))
        {
            if (data[r.BytePosition] != 0xFF || (data[r.BytePosition + 1] & 0xFE) != 0xF8)
            {
                if (data[r.BytePosition] == (byte)'T' && r.BytePosition + 128 == data.Length) break; // ID3v1 tag
                throw AudioDecoder.Invalid(source, $"FLAC frame sync expected at byte {r.BytePosition}");
            }
            int blockSize = DecodeFrame(r, channels, bps, rate, work, source);
            for (int c = 0; c < channels; c++)
            {
                var block = new int[blockSize];
                var w = work[c];
                for (int i = 0; i < blockSize; i++) block[i] = (int)w[i];
                output[c].Add(block);
            }
            decoded += blockSize;
        }
        if (totalSamples != 0 && decoded < totalSamples)
            throw AudioDecoder.Invalid(source, $"FLAC is truncated: {decoded} of {totalSamples} samples decoded");
        long frames = totalSamples != 0 ? totalSamples : decoded;
        if (frames > int.MaxValue) throw AudioDecoder.Invalid(source, "FLAC stream too long");
        _ = maxBlock;

        double scale = 1.0 / (1L << (bps - 1));
        var channelsOut = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            var dst = new float[frames];
            int o = 0;
            foreach (var block in output[c])
                for (int i = 0; i < block.Length && o < frames; i++) dst[o++] = (float)(block[i] * scale);
            channelsOut[c] = dst;
        }
        return new DecodedAudio(channelsOut, rate);
    }

    private static int DecodeFrame(FlacBitReader r, int streamChannels, int streamBps, int streamRate, long[][] work, string source)
    {
        int frameStart = r.BytePosition;
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
        if (rateCode == 12) r.ReadBits(8); else if (rateCode is 13 or 14) r.ReadBits(16);
        else if (rateCode == 15) throw AudioDecoder.Invalid(source, $"FLAC frame at byte {frameStart} has an invalid sample rate code");
        r.ReadBits(8); // CRC-8 of the header
        int bps = sizeCode switch
        {
            0 => streamBps, 1 => 8, 2 => 12, 4 => 16, 5 => 20, 6 => 24, 7 => 32,
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
        int crcEnd = r.BytePosition;
        ushort crc = (ushort)r.ReadBits(16);
        if (Crc16(r.Data, frameStart, crcEnd) != crc)
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

    private static void DecodeSubframe(FlacBitReader r, long[] s, int n, int bps, string source, int frameStart)
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

    private static void ReadResidual(FlacBitReader r, long[] s, int n, int order, string source, int frameStart)
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

    private static ushort Crc16(byte[] d, int start, int end)
    {
        ushort crc = 0;
        for (int i = start; i < end; i++) crc = (ushort)((crc << 8) ^ CrcTable[(crc >> 8) ^ d[i]]);
        return crc;
    }
}

/// <summary>MSB-first bit reader over a whole file held in memory.</summary>
internal sealed class FlacBitReader(byte[] data, string source)
{
    private long _bit;
    public byte[] Data { get; } = data;

    public int BytePosition
    {
        get => (int)(_bit >> 3);
        set => _bit = (long)value << 3;
    }

    public void AlignToByte() => _bit = (_bit + 7) & ~7L;

    public ulong ReadBits(int n)
    {
        if (n == 0) return 0;
        long at = _bit >> 3;
        if (n <= 56 && at + 8 <= Data.Length)
        {
            // Fast path: one big-endian 64-bit load covers the (at most 56 + 7) bits needed.
            ulong word = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Data.AsSpan((int)at, 8));
            ulong bits = (word << (int)(_bit & 7)) >> (64 - n);
            _bit += n;
            return bits;
        }
        ulong v = 0;
        while (n > 0)
        {
            long idx = _bit >> 3;
            if (idx >= Data.Length) throw AudioDecoder.Invalid(source, "FLAC is truncated (unexpected end of data)");
            int off = (int)(_bit & 7), avail = 8 - off, take = Math.Min(avail, n);
            v = (v << take) | (uint)((Data[idx] >> (avail - take)) & ((1 << take) - 1));
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
            if (idx >= Data.Length) throw AudioDecoder.Invalid(source, "FLAC is truncated (unexpected end of data)");
            int off = (int)(_bit & 7);
            int rest = (Data[idx] << off) & 0xFF;
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
