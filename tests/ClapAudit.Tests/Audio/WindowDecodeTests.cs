using ClapAudit.Audio;
using ClapAudit.Common;
using Xunit.Abstractions;

namespace ClapAudit.Tests.Audio;

/// <summary>Synthetic files the window-decode tests share, written once per test class.</summary>
public sealed class WindowDecodeFiles : IDisposable
{
    private readonly TempDir _dir = Fixtures.TempDir();

    public WindowDecodeFiles()
    {
        TestAudioFiles.WriteWav(File("s16_44k_stereo.wav"), 44100, 2, 66_150, 16);
        TestAudioFiles.WriteWav(File("s24_48k_mono.wav"), 48000, 1, 72_000, 24);
        TestAudioFiles.WriteWav(File("f32_48k_stereo.wav"), 48000, 2, 57_600, 32, isFloat: true);
        TestAudioFiles.WriteFlac(File("s16_44k_stereo.flac"), 44100, 2, 50_000);
        TestAudioFiles.WriteFlac(File("s16_48k_stereo_nototal.flac"), 48000, 2, 50_000, statesTotal: false);
    }

    public string File(string name) => _dir.File(name);

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Issue 20, item 8: <see cref="AudioPreprocessor.Load"/> decodes only the span its crop needs, and its result is
/// bit-identical to preparing the whole decode, for every format, offset, rate pair and channel mode.
/// </summary>
public class WindowDecodeTests(WindowDecodeFiles files, ITestOutputHelper output) : IClassFixture<WindowDecodeFiles>
{
    private string Path(string name) =>
        name.StartsWith("fixture:", StringComparison.Ordinal) ? Fixtures.Path("audio", name[8..]) : files.File(name);

    public static TheoryData<string, int, ChannelMode> Cases()
    {
        var data = new TheoryData<string, int, ChannelMode>();
        string[] names =
        [
            "fixture:wav_s16.wav", "fixture:wav_s24.wav", "fixture:wav_f32.wav", "fixture:wavex_s16_mono.wav",
            "s16_44k_stereo.wav", "s24_48k_mono.wav", "f32_48k_stereo.wav",
            "fixture:flac_cli_s16_stereo_b1152.flac", "fixture:flac_cli_s24_stereo_b4096_lax.flac",
            "fixture:flac_sf_s24_mono.flac", "fixture:flac_sf_s8_3ch.flac",
            "s16_44k_stereo.flac", "s16_48k_stereo_nototal.flac",
            "fixture:ogg_stereo.ogg", "fixture:mp3_mono.mp3",
        ];
        foreach (var name in names)
            foreach (var mode in new[] { ChannelMode.Mean, ChannelMode.Concat })
                foreach (int rate in new[] { 32000, 0 }) // 0: the file's own rate (no resampling)
                    data.Add(name, rate, mode);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadEqualsPreparingTheWholeDecodeBitForBit(string name, int targetRate, ChannelMode mode)
    {
        string path = Path(name);
        var whole = AudioDecoder.Decode(path);
        int rate = targetRate == 0 ? whole.SampleRate : targetRate;
        // A crop a fifth of the clip (at most 0.1 s), so that the window is a small part of the file.
        double duration = Math.Min(0.1, whole.DurationSeconds / 5);
        long perChannel = Resampler.OutputLength(whole.Frames, whole.SampleRate, rate);
        long length = mode == ChannelMode.Concat ? perChannel * whole.ChannelCount : perChannel;
        var plain = new AudioPreprocessing
        {
            SampleRate = rate,
            DurationSeconds = duration,
            Channels = mode,
            Normalize = false,
        };
        var padded = plain with { Normalize = true, Pad = PadMode.Repeat };
        int target = plain.TargetSamples;
        long block = Resampler.OutputLength(4096, whole.SampleRate, rate); // a FLAC block, in output samples
        long[] starts =
        [
            0, 1, length / 3, length / 2 - target / 2, perChannel - target / 3, block - target / 2, block + 1,
            length - target, length - target / 3, length - 1,
        ];
        int checkedCount = 0;
        foreach (var settings in new[] { plain, padded })
        {
            foreach (long start in starts.Where(s => s >= 0 && s < length).Distinct())
            {
                double offset = start / (double)rate;
                Same(AudioPreprocessor.Prepare(whole, settings, offset, null, path),
                    AudioPreprocessor.Load(path, settings, offset), $"{name} at {start}");
                checkedCount++;
            }
            Same(AudioPreprocessor.Prepare(whole, settings, null, null, path), AudioPreprocessor.Load(path, settings),
                $"{name} with no offset");
            foreach (int seed in new[] { 1, 2, 3, 20 })
            {
                Random a = new(seed), b = new(seed);
                Same(AudioPreprocessor.Prepare(whole, settings, null, a, path),
                    AudioPreprocessor.Load(path, settings, null, b), $"{name} seed {seed}");
                Assert.Equal(a.Next(), b.Next()); // one draw each: the seeded stream goes on as before
                checkedCount++;
            }
        }
        Assert.True(checkedCount >= 12, $"only {checkedCount} crops checked");
    }

    [Theory]
    [InlineData("fixture:wav_s24.wav")]
    [InlineData("f32_48k_stereo.wav")]
    [InlineData("fixture:flac_cli_s16_stereo_b1152.flac")]
    [InlineData("fixture:flac_sf_s8_3ch.flac")]
    [InlineData("s16_48k_stereo_nototal.flac")]
    [InlineData("fixture:ogg_stereo.ogg")]
    [InlineData("fixture:mp3_mono.mp3")]
    public void AWindowIsTheSliceOfTheWholeDecodeAndTheCountIsTheWholeCount(string name)
    {
        string path = Path(name);
        var whole = AudioDecoder.Decode(path);
        long n = whole.Frames;
        // Per-channel ranges: inside, across block/packet edges, to the end, past it, empty, one per channel.
        FrameRange[][] cases =
        [
            [.. Enumerable.Repeat(new FrameRange(0, 100), whole.ChannelCount)],
            [.. Enumerable.Range(0, whole.ChannelCount).Select(c => new FrameRange(1000 + 777 * c, 1200))],
            [.. Enumerable.Repeat(new FrameRange(n - 300, 300), whole.ChannelCount)],
            [.. Enumerable.Repeat(new FrameRange(n - 50, 500), whole.ChannelCount)],
            [.. Enumerable.Range(0, whole.ChannelCount)
                .Select(c => c == 0 ? new FrameRange(n / 2, 4097) : FrameRange.None)],
        ];
        foreach (var ranges in cases)
        {
            var w = AudioDecoder.DecodeWindow(path, _ => ranges);
            Assert.Equal(n, w.Frames);
            Assert.Equal(whole.SampleRate, w.SampleRate);
            for (int c = 0; c < whole.ChannelCount; c++)
            {
                var r = ranges[c].ClipTo(n);
                Assert.Equal(r.Start, w.Starts[c]);
                Same(whole.Channels[c].AsSpan((int)r.Start, (int)r.Count).ToArray(), w.Channels[c],
                    $"{name} channel {c} {r}");
            }
        }
    }

    [Fact]
    public void OggHeaderCountEqualsTheDecodedCount()
    {
        // The window decode trusts NVorbis's TotalSamples (the last granule position) to stop early.
        using var reader = new NVorbis.VorbisReader(Fixtures.Path("audio", "ogg_stereo.ogg"));
        Assert.Equal(AudioDecoder.Decode(Fixtures.Path("audio", "ogg_stereo.ogg")).Frames, reader.TotalSamples);
    }

    [Fact]
    public void ANanInsideTheWindowIsNamedByItsFrameInTheFileAndOneOutsideCannotReachTheCrop()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("nan.wav");
        var samples = Enumerable.Range(0, 16000).Select(i => (float)Math.Sin(i * 0.01)).ToArray();
        samples[12_345] = float.NaN;
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write("RIFF"u8); w.Write(36 + samples.Length * 4); w.Write("WAVE"u8);
            w.Write("fmt "u8); w.Write(16); w.Write((short)3); w.Write((short)1); w.Write(8000); w.Write(32000);
            w.Write((short)4); w.Write((short)32);
            w.Write("data"u8); w.Write(samples.Length * 4);
            foreach (var v in samples) w.Write(v);
        }
        var settings = new AudioPreprocessing { SampleRate = 16000, DurationSeconds = 0.1, Normalize = false };
        var e = Assert.Throws<ClapAuditException>(() => AudioPreprocessor.Load(path, settings, 1.5));
        Assert.Equal(ErrorKind.NonFinite, e.Kind);
        Assert.Contains("NaN sample at frame 12345 (time 1.543125 s), channel 0", e.Message);
        // The crop at 0.5 s reads frames ~3,990-4,810: the NaN is not in them, nor in the output.
        var crop = AudioPreprocessor.Load(path, settings, 0.5);
        Assert.All(crop, v => Assert.True(float.IsFinite(v)));
        var expected = Resampler.Resample(samples.AsSpan(0, 10000), 8000, 16000).AsSpan(8000, 1600).ToArray();
        Same(expected, crop, "crop at 0.5 s");
    }

    [Fact]
    public void AFiveSecondCropOfATenMinute44kStereoWavAllocatesAFewPercentOfTheFile()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("long.wav");
        const int rate = 44100;
        const long frames = 600L * rate;
        TestAudioFiles.WriteWav(path, rate, 2, frames, 16);
        long fileBytes = new FileInfo(path).Length; // 105.8 MB
        foreach (int targetRate in new[] { 44100, 32000 })
        {
            var settings = new AudioPreprocessing { SampleRate = targetRate, DurationSeconds = 5, Normalize = false };
            _ = AudioPreprocessor.Load(path, settings, 300.0); // warm-up (JIT)
            long before = GC.GetAllocatedBytesForCurrentThread();
            var crop = AudioPreprocessor.Load(path, settings, 300.0);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine(
                $"{targetRate} Hz: {allocated:N0} bytes allocated for a 5 s crop of a {fileBytes:N0}-byte WAV");
            Assert.Equal(5 * targetRate, crop.Length);
            // The window (5 s plus the filter's reach, two channels of floats: 1.8 MB), the mono mix, the crop and,
            // when resampling, the window in double: under 8 MB. Before, the file and its decode: 3x the file.
            Assert.True(allocated < 8_000_000, $"{allocated:N0} bytes allocated for a 5 s crop");
            Assert.True(allocated < fileBytes / 12);
            if (targetRate == rate)
                for (int i = 0; i < crop.Length; i++)
                {
                    long f = 300L * rate + i;
                    float left = TestAudioFiles.Sample16(f, 0) / 32768f, right = TestAudioFiles.Sample16(f, 1) / 32768f;
                    float expected = (float)(((double)left + right) / 2);
                    if (crop[i] != expected) Assert.Fail($"sample {i}: {crop[i]} vs {expected}");
                }
        }
    }

    [Fact]
    public void ACropAcrossTheChannelsOfATenMinuteFlacKeepsOnlyItsWindow()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("long.flac");
        const int rate = 22050;
        const long frames = 600L * rate;
        TestAudioFiles.WriteFlac(path, rate, 2, frames);
        long fileBytes = new FileInfo(path).Length; // 52.9 MB; decoded whole: 105.8 MB of floats
        // msclap's concat: the 5 s crop at 597.5 s of the 1,200 s concatenation takes the last 2.5 s of the left
        // channel and the first 2.5 s of the right: each channel keeps its own window, not the file between them.
        var settings = new AudioPreprocessing
        {
            SampleRate = rate,
            DurationSeconds = 5,
            Channels = ChannelMode.Concat,
            Normalize = false,
        };
        _ = AudioPreprocessor.Load(path, settings, 597.5); // warm-up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var crop = AudioPreprocessor.Load(path, settings, 597.5);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{allocated:N0} bytes allocated for a 5 s crop of a {fileBytes:N0}-byte FLAC");
        // Two 2.5 s windows of floats (0.44 MB), the crop (twice 0.44 MB), the 64 KiB read buffers, one block's work
        // arrays: under 3 MB. Decoding reads the whole file up to the window, through the buffer.
        Assert.True(allocated < 3_000_000, $"{allocated:N0} bytes allocated");
        int half = (int)(2.5 * rate);
        for (int i = 0; i < crop.Length; i++)
        {
            long f = i < half ? frames - half + i : i - half;
            float expected = (float)(TestAudioFiles.Sample16(f, i < half ? 0 : 1) * (1.0 / 32768));
            if (crop[i] != expected) Assert.Fail($"sample {i}: {crop[i]} vs {expected}");
        }

        var kept = AudioDecoder.DecodeWindow(path, info =>
            [new FrameRange(info.Frames!.Value - half, half), new FrameRange(0, half)]);
        Assert.Equal(frames, kept.Frames);
        Assert.Equal([half, half], kept.Channels.Select(c => c.Length));
    }

    [Fact]
    public void AnMp3IsCountedFirstAndASeededCropDrawsOnce()
    {
        string path = Fixtures.Path("audio", "mp3_mono.mp3");
        var settings = new AudioPreprocessing { SampleRate = 16000, DurationSeconds = 0.2, Normalize = false };
        int calls = 0;
        long? firstOffered = -1;
        var w = AudioDecoder.DecodeWindow(path, info =>
        {
            if (calls++ == 0) firstOffered = info.Frames;
            return info.Frames is long n ? [new FrameRange(n - 10, 10)] : null;
        });
        Assert.Null(firstOffered);                      // NLayer's count is not trusted: the first pass counts
        Assert.Equal(2, calls);
        Assert.Equal(AudioDecoder.Decode(path).Frames, w.Frames);
        Random a = new(5), b = new(5);
        Same(AudioPreprocessor.Prepare(AudioDecoder.Decode(path), settings, null, a, path),
            AudioPreprocessor.Load(path, settings, null, b), "seeded mp3 crop");
        Assert.Equal(a.Next(), b.Next());
    }

    private static void Same(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} samples, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: sample {i} is {actual[i]:R}, the whole decode gives {expected[i]:R}");
    }
}
