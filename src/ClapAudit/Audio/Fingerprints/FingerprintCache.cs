using System.Security.Cryptography;
using System.Text;
using ClapAudit.Common;

namespace ClapAudit.Audio.Fingerprints;

/// <summary>
/// Fingerprints cached per audio file in a folder, one small binary file each (magic "CAFP", version, frames,
/// peak count, peaks as int32 little-endian). The key hashes the file's full path, size, modification time
/// and <see cref="FingerprintOptions.PeakSignature"/>, so an edited file or a changed setting is recomputed.
/// An unreadable cache entry is recomputed, never an error: the cache only saves time.
/// </summary>
public sealed class FingerprintCache(string? folder, FingerprintOptions options)
{
    private const int Magic = 0x50464143; // "CAFP"
    private const int Version = 1;

    public Fingerprint Get(string audioPath, out bool cached, int shift = 0)
    {
        cached = false;
        if (folder is null) return LandmarkFingerprinter.ComputeFile(audioPath, options, shift);
        var info = new FileInfo(audioPath);
        if (!info.Exists) throw new ClapAuditException(ErrorKind.NotFound, $"{audioPath}: audio file not found");
        string key = Key(info, shift);
        string path = Path.Combine(folder, key[..2], key + ".fp");
        if (TryRead(path) is { } hit)
        {
            cached = true;
            return hit;
        }
        var fp = LandmarkFingerprinter.ComputeFile(audioPath, options, shift);
        AtomicFile.Write(path, s =>
        {
            using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Version);
            w.Write(fp.Frames);
            w.Write(fp.Peaks.Length);
            foreach (var p in fp.Peaks) w.Write(p);
        });
        return fp;
    }

    private string Key(FileInfo info, int shift)
    {
        string text = $"{info.FullName}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}\n{options.PeakSignature}\nshift {shift}/{options.Shifts}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32].ToLowerInvariant();
    }

    private static Fingerprint? TryRead(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.BaseStream.Length < 16 || r.ReadInt32() != Magic || r.ReadInt32() != Version) return null;
            int frames = r.ReadInt32(), count = r.ReadInt32();
            if (frames < 0 || count < 0 || r.BaseStream.Length != 16 + 4L * count) return null;
            var peaks = new int[count];
            for (int i = 0; i < count; i++) peaks[i] = r.ReadInt32();
            return new Fingerprint(frames, peaks);
        }
        catch (IOException) { return null; }
    }
}
