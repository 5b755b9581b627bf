using ClapAudit.Data;
using ClapAudit.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClapAudit.Tests.Data;

/// <summary>The clean rule as a property over random captions mixing class words, other words, case and punctuation.</summary>
public class LeakageFilterPropertyTests
{
    private static readonly string[] Vocabulary =
        ["Dog", "dogs", "rain", "Rain,", "(engine)", "door-wood", "car's", "a", "the", "people", "talk", "CAN", "hum", "birdsong", "church!", "glass", "glasses"];
    private static readonly LeakageFilter Exact = LeakageFilter.FromClassNames(DataFixtures.Esc50Categories);
    private static readonly HashSet<string> Words = DataFixtures.Esc50Categories.SelectMany(c => c.Split('_')).ToHashSet();

    [Property(MaxTest = 200)]
    public Property Kept_audio_has_no_class_word_and_removed_audio_has_one(NonEmptyArray<(byte Audio, byte[] Words)> rows)
    {
        var pairs = rows.Get.Select((r, i) => new AudioTextPair("t", $"/a/{r.Audio % 7}.wav",
            string.Join(" ", (r.Words ?? []).Select(w => Vocabulary[w % Vocabulary.Length])), i.ToString())).ToList();
        var result = Exact.Filter(pairs);
        bool HasWord(AudioTextPair p) => BasicTokenizer.Uncased.Tokenize(p.Caption).Any(Words.Contains);
        bool keptClean = result.Kept.All(p => !HasWord(p));
        bool removedJustified = result.Removed.GroupBy(p => p.AudioPath).All(g => g.Any(HasWord));
        bool wholeAudio = !result.Kept.Select(p => p.AudioPath).Intersect(result.Removed.Select(p => p.AudioPath)).Any();
        bool counts = result.Report.Removed.Pairs == result.Removed.Count && result.Report.Before.Pairs == pairs.Count;
        return (keptClean && removedJustified && wholeAudio && counts).ToProperty();
    }
}
