using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Common;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ClapAudit.Training;

/// <summary>
/// What every settings record (TrainingRecipe, PretrainRecipe, TextPretrainRecipe) does with its keys:
/// snake_case names from the properties, .yaml/.json files where absent keys keep the defaults,
/// <c>key=value</c> overrides with invariant-culture numbers, and the list of keys two recipes differ in.
/// <paramref name="kind"/> names the settings in messages ("recipe", "pretrain", ...).
/// </summary>
internal sealed class RecipeSettings<T>(string kind, string example) where T : class, new()
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    private static readonly List<KeyValuePair<string, PropertyInfo>> Properties = typeof(T)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .Select(p => new KeyValuePair<string, PropertyInfo>(JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p))
        .ToList();

    // Records expose their copy constructor as the compiler-generated <Clone>$ method.
    private static readonly MethodInfo CloneMethod = typeof(T).GetMethod("<Clone>$")
        ?? throw new InvalidOperationException($"{typeof(T).Name} must be a record");

    public IReadOnlyList<string> Keys => Properties.Select(p => p.Key).ToList();

    public T Load(string path, string what, Func<T, T> validate)
    {
        Guard.FileExists(path, what);
        string text = File.ReadAllText(path);
        try
        {
            T? recipe = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? JsonSerializer.Deserialize<T>(text, Json)
                : new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<T>(text);
            return validate(recipe ?? new T());
        }
        catch (ClapAuditException e) { throw new ClapAuditException(e.Kind, $"{path}: {e.Message}"); }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: not a valid {what} ({e.Message}); keys are snake_case, e.g. {example}");
        }
    }

    public T WithOverrides(T recipe, IEnumerable<string> overrides, Func<T, T> validate)
    {
        var result = recipe;
        foreach (string item in overrides)
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ClapAuditException(ErrorKind.InvalidSetting, $"override '{item}': expected key=value, e.g. batch_size=64");
            result = With(result, item[..eq].Trim(), item[(eq + 1)..].Trim());
        }
        return validate(result);
    }

    public T With(T recipe, string key, string value)
    {
        var prop = Properties.FirstOrDefault(p => p.Key == key).Value
            ?? throw new ClapAuditException(ErrorKind.InvalidSetting, $"{kind} key '{key}' is unknown; known keys: {string.Join(", ", Keys)}");
        object parsed;
        try
        {
            parsed = prop.PropertyType == typeof(bool) ? bool.Parse(value)
                : prop.PropertyType == typeof(string) ? value
                : Convert.ChangeType(value, prop.PropertyType, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
        {
            throw new ClapAuditException(ErrorKind.InvalidSetting, $"{kind} key {key}: '{value}' is not a valid {prop.PropertyType.Name}");
        }
        var copy = (T)CloneMethod.Invoke(recipe, null)!;
        prop.SetValue(copy, parsed);
        return copy;
    }

    public IReadOnlyList<string> Differences(T a, T b) =>
        Properties.Where(p => !Equals(p.Value.GetValue(a), p.Value.GetValue(b))).Select(p => p.Key).ToList();

    public void Check(bool ok, string key, object value, string expected)
    {
        if (!ok) throw new ClapAuditException(ErrorKind.InvalidSetting, $"{kind} key {key}: {value} is invalid, expected {expected}");
    }
}
