using System.Text.Json.Serialization;

namespace ClapAudit.Analysis;

/// <summary>The four arrays of a bundle that are measured, with the one spelling the JSON, the CLI and the docs use.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Representation>))]
public enum Representation
{
    /// <summary>E_a, audio.npy: audio embeddings in the joint space.</summary>
    [JsonStringEnumMemberName("audio")] Audio,
    /// <summary>x_a, audio_backbone.npy: the audio backbone's outputs.</summary>
    [JsonStringEnumMemberName("audio_backbone")] AudioBackbone,
    /// <summary>E_t, text.npy: one text embedding per class.</summary>
    [JsonStringEnumMemberName("text")] Text,
    /// <summary>x_t, text_backbone.npy: the text backbone's outputs.</summary>
    [JsonStringEnumMemberName("text_backbone")] TextBackbone,
}

public static class Representations
{
    public static string Name(this Representation r) => r switch
    {
        Representation.Audio => "audio",
        Representation.AudioBackbone => "audio_backbone",
        Representation.Text => "text",
        _ => "text_backbone",
    };

    /// <summary>The representation of a JSON/CLI name ("audio", "audio_backbone", "text", "text_backbone").</summary>
    public static Representation Parse(string name) => name switch
    {
        "audio" => Representation.Audio,
        "audio_backbone" => Representation.AudioBackbone,
        "text" => Representation.Text,
        "text_backbone" => Representation.TextBackbone,
        _ => throw new Common.ClapAuditException(Common.ErrorKind.InvalidSetting,
            $"representation '{name}' is not one of audio, audio_backbone, text, text_backbone"),
    };
}
