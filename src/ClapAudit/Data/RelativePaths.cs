namespace ClapAudit.Data;

/// <summary>
/// Checks a file name read from a dataset's metadata before it is joined to the dataset's folder: an
/// absolute path or a '..' step would read audio from outside it (and then train on it) without a word.
/// </summary>
internal static class RelativePaths
{
    /// <summary>Why <paramref name="name"/> is not a path inside its folder, or null when it is.</summary>
    public static string? Problem(string name)
    {
        if (Path.IsPathRooted(name) || name.StartsWith('/') || name.StartsWith('\\'))
            return $"'{name}' is an absolute path; expected a file name inside the dataset folder";
        if (name.Split('/', '\\').Any(part => part == ".."))
            return $"'{name}' steps out of the dataset folder ('..'); expected a file name inside it";
        return null;
    }
}
