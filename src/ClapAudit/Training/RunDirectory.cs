using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Training;

/// <summary>
/// The files of one training run: <c>run.json</c> (settings, versions, seed, git commit, start time),
/// <c>log.csv</c> (one row per epoch) and <c>checkpoints/last.ckpt</c>, <c>checkpoints/best.ckpt</c>.
/// </summary>
public sealed class RunDirectory
{
    public const string LogHeader = "epoch,step,train_loss,val_loss,lr,logit_scale,seconds";
    /// <summary>The columns <c>val_retrieval</c> adds to log.csv, after <see cref="LogHeader"/>'s.</summary>
    public const string RetrievalLogColumns = "t2a_r1,t2a_r5,t2a_r10,t2a_map10,a2t_r1,a2t_r5,a2t_r10,a2t_map10";

    /// <summary>log.csv's header for a training run with <paramref name="recipe"/>.</summary>
    public static string TrainingLogHeader(TrainingRecipe recipe) =>
        recipe.ValRetrieval ? LogHeader + "," + RetrievalLogColumns : LogHeader;

    public string Path { get; }
    public RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string RunJson => System.IO.Path.Combine(Path, "run.json");
    public string LogCsv => System.IO.Path.Combine(Path, "log.csv");
    public string LastCheckpoint => System.IO.Path.Combine(Path, "checkpoints", "last.ckpt");
    public string BestCheckpoint => System.IO.Path.Combine(Path, "checkpoints", "best.ckpt");

    public bool CanResume => File.Exists(LastCheckpoint);

    /// <summary>Writes run.json (once; a resumed run keeps the original and appends a resume time).</summary>
    public void WriteRunInfo(TrainingRecipe recipe, string? gitCommit, DateTimeOffset start,
        IReadOnlyList<RunInput>? inputs = null) =>
        WriteRunInfo("clapaudit train", recipe.Seed, JsonSerializer.SerializeToElement(recipe, TrainingRecipe.Json),
            JsonSerializer.SerializeToElement(TrainedPreprocessing.FromRecipe(recipe), TrainingRecipe.Json), gitCommit,
            start, TrainingLogHeader(recipe), inputs);

    /// <summary>run.json and an empty log.csv for any run (e.g. audio pre-training, with its own settings and log columns).</summary>
    public void WriteRunInfo(string tool, long seed, JsonElement recipe, JsonElement preprocessing, string? gitCommit,
        DateTimeOffset start, string logHeader, IReadOnlyList<RunInput>? inputs = null)
    {
        Directory.CreateDirectory(Path);
        var info = new Dictionary<string, object?>
        {
            ["tool"] = tool,
            ["start_time"] = start.ToString("o", CultureInfo.InvariantCulture),
            ["seed"] = seed,
            ["git_commit"] = gitCommit,
            ["versions"] = new Dictionary<string, string?>
            {
                ["clapaudit"] = typeof(RunDirectory).Assembly.GetName().Version?.ToString(),
                ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["os"] = RuntimeInformation.OSDescription,
            },
            ["recipe"] = recipe,
            ["preprocessing"] = preprocessing,
            [RunInputs.Key] = (inputs ?? []).Select(i => new Dictionary<string, string>
            {
                ["name"] = i.Name,
                ["path"] = i.Path,
                ["sha256"] = i.Sha256,
            }).ToList(),
        };
        AtomicFile.WriteAllText(RunJson, JsonSerializer.Serialize(info, TrainingRecipe.Json));
        AtomicFile.WriteAllText(LogCsv, logHeader + "\n");
    }

    /// <summary>Keeps log.csv rows of epochs before <paramref name="epoch"/> (rows written after the checkpoint a run resumes from are redone).</summary>
    public void TruncateLog(int epoch, string logHeader = LogHeader)
    {
        if (!File.Exists(LogCsv)) { AtomicFile.WriteAllText(LogCsv, logHeader + "\n"); return; }
        var keep = File.ReadAllLines(LogCsv).Skip(1)
            .Where(l => l.Length > 0 && int.TryParse(l.Split(',')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e < epoch);
        AtomicFile.WriteAllText(LogCsv, logHeader + "\n" + string.Concat(keep.Select(l => l + "\n")));
    }

    /// <summary>Appends one row of already formatted values (for runs with their own columns).</summary>
    public void AppendLogRow(IEnumerable<string> values) =>
        File.AppendAllText(LogCsv, string.Join(',', values) + "\n", Encoding.UTF8);

    /// <summary>One epoch's row of log.csv; the retrieval columns when <paramref name="retrieval"/> is given
    /// (<c>val_retrieval</c>), none when it is null.</summary>
    public void AppendLog(int epoch, long step, double trainLoss, double valLoss, double lr, double logitScale, double seconds,
        Evaluation.RetrievalResult? retrieval = null)
    {
        var values = new List<string>
        {
            epoch.ToString(CultureInfo.InvariantCulture), step.ToString(CultureInfo.InvariantCulture),
            F(trainLoss), F(valLoss), F(lr), F(logitScale), seconds.ToString("F1", CultureInfo.InvariantCulture),
        };
        if (retrieval is not null)
            foreach (var s in new[] { retrieval.TextToAudio, retrieval.AudioToText })
                values.AddRange([F(s.R1), F(s.R5), F(s.R10), F(s.Map10)]);
        File.AppendAllText(LogCsv, string.Join(',', values) + "\n", Encoding.UTF8);
    }

    private static string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);

    /// <summary>The commit of the git checkout containing <paramref name="start"/> (read from .git, no git process), or null.</summary>
    public static string? FindGitCommit(string start)
    {
        try
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string dotGit = System.IO.Path.Combine(dir.FullName, ".git");
                string? gitDir = Directory.Exists(dotGit) ? dotGit
                    : File.Exists(dotGit) && File.ReadAllText(dotGit).Trim() is var t && t.StartsWith("gitdir:", StringComparison.Ordinal)
                        ? System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, t["gitdir:".Length..].Trim())) : null;
                if (gitDir is null) continue;
                string head = File.ReadAllText(System.IO.Path.Combine(gitDir, "HEAD")).Trim();
                if (!head.StartsWith("ref:", StringComparison.Ordinal)) return head;
                string refName = head[4..].Trim();
                // A worktree's refs live in the common dir.
                string common = File.Exists(System.IO.Path.Combine(gitDir, "commondir"))
                    ? System.IO.Path.GetFullPath(System.IO.Path.Combine(gitDir, File.ReadAllText(System.IO.Path.Combine(gitDir, "commondir")).Trim()))
                    : gitDir;
                foreach (var d in new[] { gitDir, common })
                {
                    string refFile = System.IO.Path.Combine(d, refName);
                    if (File.Exists(refFile)) return File.ReadAllText(refFile).Trim();
                    string packed = System.IO.Path.Combine(d, "packed-refs");
                    if (File.Exists(packed))
                        foreach (var line in File.ReadLines(packed))
                            if (line.EndsWith(" " + refName, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
                }
                return null;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
