using ClapAudit.Synthetic;
using ClapAudit.Text;

namespace ClapAudit.Tests.Synthetic;

/// <summary>
/// Leakage is real in the data: dirty captions and labels name the test classes; the paper's filter
/// (remove every clip any caption of which holds a test-class word, whole words after BERT basic
/// tokenisation) leaves exactly the synonym-only test-class clips, and clean labels lose the test classes.
/// </summary>
[Collection(QuickWorldCollection.Name)]
public sealed class SyntheticLeakageTests(QuickWorldFixture world)
{
    private SyntheticWorldLayout L => world.Layout;
    private SyntheticWorldOptions O => world.Options;

    private static HashSet<string> Words(string caption) => BasicTokenizer.Uncased.Tokenize(caption).ToHashSet(StringComparer.Ordinal);

    private SoundClass ClassOf(string[] captions)
    {
        // Every named caption names exactly one class; nameless captions name none.
        var named = L.Classes.Where(c => captions.Any(cap => Words(cap).Overlaps([c.Name, c.Synonym]))).ToList();
        return Assert.Single(named);
    }

    [Fact]
    public void DirtyCaptionsNameEveryTestClassByItsPrimaryName()
    {
        var captions = WorldFiles.ClothoCaptions(L.ClothoDir).SelectMany(c => c.Captions).Select(Words).ToList();
        foreach (var c in L.TestClasses)
            Assert.Contains(captions, w => w.Contains(c.Name));
    }

    [Fact]
    public void TheLeakageFilterLeavesOnlySynonymOnlyTestClipsInTheExpectedShare()
    {
        var testNames = L.TestClasses.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var clips = WorldFiles.ClothoCaptions(L.ClothoDir);
        var kept = clips.Where(c => !c.Captions.Any(cap => Words(cap).Overlaps(testNames))).ToList();

        int perClassSurvivors = Math.Max(1, (int)Math.Round(O.CaptionedClipsPerClass * O.SynonymOnlyFraction));
        foreach (var t in L.TestClasses)
        {
            var survivors = kept.Where(c => c.Captions.Any(cap => Words(cap).Contains(t.Synonym))).ToList();
            Assert.Equal(perClassSurvivors, survivors.Count);
            // Described only by the synonym: every caption holds it, none the primary name.
            Assert.All(survivors.SelectMany(s => s.Captions), cap =>
            {
                Assert.Contains(t.Synonym, Words(cap));
                Assert.DoesNotContain(t.Name, Words(cap));
            });
        }
        // All other clips of test classes are removed; no clip of another class is.
        int testClips = O.TestClasses * O.CaptionedClipsPerClass;
        Assert.Equal(clips.Count - testClips + O.TestClasses * perClassSurvivors, kept.Count);
        Assert.Equal(L.Counts.ClothoSynonymOnlyTestClips, O.TestClasses * perClassSurvivors);
        Assert.DoesNotContain(kept.SelectMany(k => k.Captions), cap => Words(cap).Overlaps(testNames));
    }

    [Fact]
    public void EachCaptionedClipBelongsToOneClassAndOtherClassesUseBothNames()
    {
        var clips = WorldFiles.ClothoCaptions(L.ClothoDir);
        var byClass = clips.GroupBy(c => ClassOf(c.Captions).Index).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(L.Classes, c => Assert.Equal(O.CaptionedClipsPerClass, byClass[c.Index].Count));
        var all = clips.SelectMany(c => c.Captions).Select(Words).ToList();
        foreach (var c in L.Classes.Where(c => !c.IsTest))
        {
            Assert.Contains(all, w => w.Contains(c.Name));
            Assert.Contains(all, w => w.Contains(c.Synonym));
        }
        // Some captions name no class at all (attribute words only).
        Assert.Contains(all, w => !L.Classes.Any(c => w.Contains(c.Name) || w.Contains(c.Synonym)));
    }

    [Fact]
    public void FilteringAudioSetLabelsRemovesExactlyTheTestClassClips()
    {
        var names = File.ReadLines(Path.Combine(L.AudioSetDir, "class_labels_indices.csv")).Skip(1)
            .Select(l => l.Split(',', 3)).ToDictionary(p => p[1], p => p[2].Trim('"'));
        var testNames = L.TestClasses.Select(c => c.Name).ToHashSet();
        var segments = WorldFiles.AudioSetSegments(Path.Combine(L.AudioSetDir, "balanced_train_segments.csv"));
        var clean = segments.Where(s => !s.Mids.Any(m => Words(names[m]).Overlaps(testNames))).ToList();
        Assert.Equal(O.OtherClasses * O.PretrainClipsPerClass, clean.Count);
        Assert.Equal(O.TestClasses * O.PretrainClipsPerClass, L.Counts.AudioSetTestClassClips);
        var testMids = L.TestClasses.Select(c => c.Mid).ToHashSet();
        Assert.DoesNotContain(clean, s => s.Mids.Any(testMids.Contains));
    }

    [Fact]
    public void TestClassesUseSourceKindsNoOtherClassUses()
    {
        var testSources = L.TestClasses.Select(c => c.Source).ToHashSet();
        Assert.DoesNotContain(L.Classes.Where(c => !c.IsTest), c => testSources.Contains(c.Source));
        Assert.True(testSources.Count >= 2);
        Assert.Equal(L.Classes.Count, L.Classes.Select(c => (c.Source, c.Pitch, c.Rhythm)).Distinct().Count());
    }
}
