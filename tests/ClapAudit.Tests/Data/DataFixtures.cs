namespace ClapAudit.Tests.Data;

/// <summary>Paths of the dataset fixtures written by tools/make_dataset_fixtures.py.</summary>
internal static class DataFixtures
{
    public static string Clotho => Fixtures.Path("datasets", "clotho");
    public static string AudioCaps => Fixtures.Path("datasets", "audiocaps");
    public static string Fsd50k => Fixtures.Path("datasets", "fsd50k");
    public static string Macs => Fixtures.Path("datasets", "macs");
    public static string Esc50 => Fixtures.Path("datasets", "esc50");
    public static string AudioSet => Fixtures.Path("datasets", "audioset");

    /// <summary>The 50 ESC-50 categories in target order, as in karolpiczak/ESC-50's README.</summary>
    public static readonly string[] Esc50Categories =
    [
        "dog", "rooster", "pig", "cow", "frog", "cat", "hen", "insects", "sheep", "crow",
        "rain", "sea_waves", "crackling_fire", "crickets", "chirping_birds", "water_drops", "wind", "pouring_water", "toilet_flush", "thunderstorm",
        "crying_baby", "sneezing", "clapping", "breathing", "coughing", "footsteps", "laughing", "brushing_teeth", "snoring", "drinking_sipping",
        "door_wood_knock", "mouse_click", "keyboard_typing", "door_wood_creaks", "can_opening", "washing_machine", "vacuum_cleaner", "clock_alarm", "clock_tick", "glass_breaking",
        "helicopter", "chainsaw", "siren", "car_horn", "engine", "train", "church_bells", "airplane", "fireworks", "hand_saw",
    ];
}
