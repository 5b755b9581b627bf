namespace ClapAudit.Common;

/// <summary>
/// Writes a file so that readers see either the old content or the whole new content, never a torn
/// one: write to <c>name.tmp</c>, flush to disk, then rename over the target.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            // The message names the file the user asked for, not our temporary name beside it.
            string reason = e.Message.Replace(tmp, full, StringComparison.Ordinal);
            string message = reason.Contains(full, StringComparison.Ordinal)
                ? $"cannot write {full}: {reason}" : $"{full}: cannot write: {reason}";
            var kind = e is DirectoryNotFoundException ? ErrorKind.NotFound : ErrorKind.InvalidData;
            throw new ClapAuditException(kind, message, e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
