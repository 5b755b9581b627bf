using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Common;

namespace ClapAudit.Report;

/// <summary>One training setup of the grid: its bundle and, optionally, its run folder and zero-shot JSON.</summary>
/// <remarks>Training: "dirty" or "clean"; PreTraining: "dirty", "clean" or "none" (other names are kept and shown after these).</remarks>
/// <remarks>Run: a run folder holding run.json, or a .json file itself. Paths are absolute once loaded.</remarks>
public sealed record GridManifestSetup(string Training, string PreTraining, string Bundle, string? Run = null, string? ZeroShot = null)
{
    public string Label => $"{Training}/{PreTraining}";
}

/// <summary>A backbone-only bundle for Figure 4; Representation is "audio_backbone" (x_a) or "text_backbone" (x_t).</summary>
public sealed record GridManifestBackbone(string Caption, string Bundle, string Representation);

/// <summary>
/// <c>GRID_DIR/grid.json</c> (docs/formats.md): what the grid produced and where, the contract between
/// <c>grid</c> (writer) and <c>report</c> (reader). Paths in the file are relative to GRID_DIR;
/// <see cref="Load"/> resolves them. A listed bundle that does not exist yet is a missing setup, not an error.
/// </summary>
public sealed record GridManifest
{
    public const string FileName = "grid.json";
    public const int CurrentVersion = 1;
    public static readonly string[] Representations = ["audio_backbone", "text_backbone"];

    public string Title { get; init; } = "ClapAudit report";
    /// <summary>Number of test classes, when known before any bundle exists.</summary>
    public int? Classes { get; init; }
    public IReadOnlyList<GridManifestSetup> Setups { get; init; } = [];
    public IReadOnlyList<GridManifestBackbone> Backbones { get; init; } = [];
    /// <summary>The <c>data prepare</c> leakage report (leakage.json).</summary>
    public string? Leakage { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Reads GRID_DIR/grid.json; every error names the file and the key.</summary>
    public static GridManifest Load(string gridDir)
    {
        Guard.DirectoryExists(gridDir, "grid folder");
        string file = Path.Combine(gridDir, FileName);
        Guard.FileExists(file, "grid manifest");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(file)); }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{file}: not valid JSON ({e.Message})"); }
        Guard.Data(root is JsonObject, $"{file}: expected a JSON object");
        var o = (JsonObject)root!;

        int version = Int(o, "version", file) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{file}: key 'version' is missing");
        Guard.Data(version == CurrentVersion, $"{file}: version {version} is not supported (expected {CurrentVersion})");
        string Resolve(string rel) => Path.GetFullPath(Path.Combine(gridDir, rel));

        var setups = new List<GridManifestSetup>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, i) in Array(o, "setups", file).Select((x, i) => (x, i)))
        {
            string where = $"{file}: setups[{i}]";
            Guard.Data(item is JsonObject, $"{where}: expected an object");
            var s = (JsonObject)item!;
            string training = Str(s, "training", where, required: true)!.Trim().ToLowerInvariant();
            string pre = Str(s, "pretraining", where, required: true)!.Trim().ToLowerInvariant();
            Guard.Data(training.Length > 0 && pre.Length > 0, $"{where}: 'training' and 'pretraining' must not be empty");
            Guard.Data(seen.Add($"{training}/{pre}"), $"{where}: setup {training}/{pre} is listed twice");
            string? run = Str(s, "run", where), zs = Str(s, "zeroshot", where);
            setups.Add(new GridManifestSetup(training, pre, Resolve(Str(s, "bundle", where, required: true)!),
                run is null ? null : Resolve(run), zs is null ? null : Resolve(zs)));
        }

        var backbones = new List<GridManifestBackbone>();
        if (o["backbones"] is not null)
            foreach (var (item, i) in Array(o, "backbones", file).Select((x, i) => (x, i)))
            {
                string where = $"{file}: backbones[{i}]";
                Guard.Data(item is JsonObject, $"{where}: expected an object");
                var b = (JsonObject)item!;
                string rep = Str(b, "representation", where) ?? "audio_backbone";
                Guard.Data(Representations.Contains(rep), $"{where}: representation '{rep}', expected audio_backbone or text_backbone");
                backbones.Add(new GridManifestBackbone(Str(b, "caption", where, required: true)!, Resolve(Str(b, "bundle", where, required: true)!), rep));
            }

        string? leakage = Str(o, "leakage", file);
        var notes = o["notes"] is null ? [] : Array(o, "notes", file).Select((n, i) =>
            n is JsonValue v && v.TryGetValue(out string? t) ? t : throw new ClapAuditException(ErrorKind.InvalidData, $"{file}: notes[{i}] must be a string")).ToList();
        int? classes = Int(o, "classes", file);
        if (classes is not null) Guard.Data(classes > 0, $"{file}: 'classes' must be positive, got {classes}");
        return new GridManifest
        {
            Title = Str(o, "title", file) ?? "ClapAudit report",
            Classes = classes,
            Setups = setups,
            Backbones = backbones,
            Leakage = leakage is null ? null : Resolve(leakage),
            Notes = notes,
        };
    }

    /// <summary>Writes GRID_DIR/grid.json atomically, with every path made relative to GRID_DIR.</summary>
    public void Save(string gridDir)
    {
        Directory.CreateDirectory(gridDir);
        string Rel(string p) => Path.GetRelativePath(gridDir, Path.Combine(gridDir, p)).Replace('\\', '/');
        var setups = new JsonArray();
        foreach (var s in Setups)
        {
            var j = new JsonObject { ["training"] = s.Training, ["pretraining"] = s.PreTraining, ["bundle"] = Rel(s.Bundle) };
            if (s.Run is not null) j["run"] = Rel(s.Run);
            if (s.ZeroShot is not null) j["zeroshot"] = Rel(s.ZeroShot);
            setups.Add(j);
        }
        var root = new JsonObject { ["version"] = CurrentVersion, ["title"] = Title };
        if (Classes is not null) root["classes"] = Classes;
        root["setups"] = setups;
        root["backbones"] = new JsonArray(Backbones.Select(b => (JsonNode?)new JsonObject
        { ["caption"] = b.Caption, ["bundle"] = Rel(b.Bundle), ["representation"] = b.Representation }).ToArray());
        if (Leakage is not null) root["leakage"] = Rel(Leakage);
        if (Notes.Count > 0) root["notes"] = new JsonArray(Notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        AtomicFile.WriteAllText(Path.Combine(gridDir, FileName), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static JsonArray Array(JsonObject o, string key, string where)
    {
        var node = o[key];
        Guard.Data(node is JsonArray, node is null ? $"{where}: key '{key}' is missing" : $"{where}: '{key}' must be an array");
        return (JsonArray)node!;
    }

    private static string? Str(JsonObject o, string key, string where, bool required = false)
    {
        var node = o[key];
        if (node is null)
        {
            Guard.Data(!required, $"{where}: key '{key}' is missing");
            return null;
        }
        Guard.Data(node is JsonValue v && v.TryGetValue(out string? _), $"{where}: '{key}' must be a string");
        return node.GetValue<string>();
    }

    private static int? Int(JsonObject o, string key, string where)
    {
        var node = o[key];
        if (node is null) return null;
        Guard.Data(node is JsonValue v && v.TryGetValue(out int _), $"{where}: '{key}' must be an integer");
        return node.GetValue<int>();
    }
}
