using ClapAudit.Common;

namespace ClapAudit.Text;

/// <summary>
/// A zero-shot prompt: the template with "{label}" replaced by the class name, underscores as
/// spaces (msclap's esc50_dataset: "door_wood_knock" becomes "door wood knock").
/// </summary>
public sealed record PromptTemplate(string Template)
{
    /// <summary>msclap 2022's prompt ("this is a sound of " + label), the paper's.</summary>
    public static PromptTemplate Msclap2022 { get; } = new("this is a sound of {label}");

    /// <summary>msclap 2023's variant.</summary>
    public static PromptTemplate Msclap2023 { get; } = new("this is the sound of {label}");

    public string Apply(string label)
    {
        Guard.Setting(Template.Contains("{label}", StringComparison.Ordinal), $"prompt template must contain {{label}}, got \"{Template}\"");
        return Template.Replace("{label}", label.Replace('_', ' '), StringComparison.Ordinal);
    }

    public IReadOnlyList<string> Apply(IEnumerable<string> labels) => labels.Select(Apply).ToArray();
}
