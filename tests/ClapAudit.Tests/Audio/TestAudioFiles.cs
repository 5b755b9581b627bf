using System.Buffers.Binary;

namespace ClapAudit.Tests.Audio;

/// <summary>
/// Writes synthetic WAV and FLAC files for the window-decode tests (no Python at run time). The FLAC writer
/// uses VERBATIM subframes only: enough to make long files whose every sample is known.
/// </summary>
internal static class TestAudioFiles
{
    /// <summary>Integer sample <paramref name="i"/> of channel <paramref name="c"/>: a deterministic pseudo-noise
    /// spanning the whole 16-bit range (so every sample differs from its neighbours).</summary>
    public static short Sample16(long i, int c) =>
        (short)(((ulong)(i + 1) * (2654435761UL + 40503UL * (ulong)c)) >> 13);

    /// <summary>A WAV of <paramref name="frames"/> frames (PCM 16/24-bit, float 32), samples from
    /// <see cref="Sample16"/>.</summary>
    public static void WriteWav(string path, int rate, int channels, long frames, int bits, bool isFloat = false)
    {
        int bytesPer = bits / 8, block = bytesPer * channels;
        long dataSize = frames * block;
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var head = new byte[44];
        "RIFF"u8.CopyTo(head);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(4), (uint)(36 + dataSize));
        "WAVEfmt "u8.CopyTo(head.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(20), (short)(isFloat ? 3 : 1));
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(22), (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(28), rate * block);
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(32), (short)block);
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(34), (short)bits);
        "data"u8.CopyTo(head.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(40), (uint)dataSize);
        f.Write(head);
        var chunk = new byte[4096 * block];
        for (long first = 0; first < frames; first += 4096)
        {
            int n = (int)Math.Min(4096, frames - first);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < channels; c++)
                {
                    var s = chunk.AsSpan(i * block + c * bytesPer, bytesPer);
                    short v = Sample16(first + i, c);
                    if (isFloat) BinaryPrimitives.WriteSingleLittleEndian(s, v / 40000f);
                    else if (bits == 16) BinaryPrimitives.WriteInt16LittleEndian(s, v);
                    else
                    {
                        int w = v * 256 + (int)((first + i) & 0xFF);
                        s[0] = (byte)w; s[1] = (byte)(w >> 8); s[2] = (byte)(w >> 16);
                    }
                }
            f.Write(chunk, 0, n * block);
        }
    }

    /// <summary>
    /// A 16-bit FLAC of <paramref name="frames"/> frames in blocks of 4096 (VERBATIM subframes, independent
    /// channels), samples from <see cref="Sample16"/>; STREAMINFO's total is 0 ("unknown") when
    /// <paramref name="statesTotal"/> is false.
    /// </summary>
    public static void WriteFlac(string path, int rate, int channels, long frames, bool statesTotal = true)
    {
        const int block = 4096;
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        f.Write("fLaC"u8);
        var info = new BitWriter();
        info.Write(1, 1); info.Write(0, 7); info.Write(34, 24);            // last block, STREAMINFO, length 34
        info.Write(block, 16); info.Write(block, 16); info.Write(0, 24); info.Write(0, 24);
        info.Write((ulong)rate, 20); info.Write((ulong)(channels - 1), 3); info.Write(15, 5);
        info.Write(statesTotal ? (ulong)frames : 0, 36);
        for (int i = 0; i < 16; i++) info.Write(0, 8);                      // MD5 unknown
        f.Write(info.ToArray());
        long number = 0;
        for (long first = 0; first < frames; first += block, number++)
        {
            int n = (int)Math.Min(block, frames - first);
            var w = new BitWriter();
            w.Write(0xFFF8, 16);
            w.Write(n == block ? 12UL : 7UL, 4);                              // 4096, or 16-bit size at the end
            w.Write(0, 4);                                                    // rate from STREAMINFO
            w.Write((ulong)(channels - 1), 4); w.Write(4, 3); w.Write(0, 1);  // independent, 16 bits
            foreach (byte b in Utf8(number)) w.Write(b, 8);
            if (n != block) w.Write((ulong)(n - 1), 16);
            w.Write(Crc8(w.ToArray()), 8);
            var header = w.ToArray();
            var bytes = new byte[header.Length + channels * (1 + 2 * n) + 2];
            header.CopyTo(bytes, 0);
            int at = header.Length;
            for (int c = 0; c < channels; c++)
            {
                bytes[at++] = 0x02;                                          // VERBATIM, no wasted bits
                for (int i = 0; i < n; i++, at += 2)
                    BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(at), Sample16(first + i, c));
            }
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), Crc16(bytes.AsSpan(0, at)));
            f.Write(bytes);
        }
    }

    private static byte[] Utf8(long v)
    {
        if (v < 0x80) return [(byte)v];
        if (v < 0x800) return [(byte)(0xC0 | v >> 6), (byte)(0x80 | (v & 0x3F))];
        return [(byte)(0xE0 | v >> 12), (byte)(0x80 | ((v >> 6) & 0x3F)), (byte)(0x80 | (v & 0x3F))];
    }

    private static byte Crc8(byte[] d)
    {
        int crc = 0;
        foreach (byte b in d)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
        }
        return (byte)crc;
    }

    private static readonly ushort[] Crc16Table = Enumerable.Range(0, 256).Select(i =>
    {
        int crc = i << 8;
        for (int k = 0; k < 8; k++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
        return (ushort)crc;
    }).ToArray();

    private static ushort Crc16(ReadOnlySpan<byte> d)
    {
        ushort crc = 0;
        foreach (byte b in d) crc = (ushort)((crc << 8) ^ Crc16Table[(crc >> 8) ^ b]);
        return crc;
    }

    private sealed class BitWriter
    {
        private readonly List<byte> _bytes = [];
        private int _acc, _n;

        public void Write(ulong value, int bits)
        {
            for (int i = bits - 1; i >= 0; i--)
            {
                _acc = (_acc << 1) | (int)((value >> i) & 1);
                if (++_n == 8) { _bytes.Add((byte)_acc); _acc = 0; _n = 0; }
            }
        }

        public byte[] ToArray() => _n == 0 ? [.. _bytes] : throw new InvalidOperationException("not byte-aligned");
    }
}
