using System.CommandLine;
using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit embed-audio --cnn14 FILE.pth AUDIO... --out X.npy</c>: CNN14 x_a (fc1 after ReLU) per file (issue 4).</summary>
public static class EmbedAudioCommand
{
    public static Command Create()
    {
        var cnn14 = new Option<string>("--cnn14") { HelpName = "FILE.pth", Description = "PANNs CNN14 weights (or an msclap CLAP checkpoint; its audio_encoder.base.* is used).", Required = true };
        var audio = new Argument<string[]>("AUDIO") { Description = "Audio files (WAV, FLAC, OGG, MP3), embedded in argument order.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { HelpName = "X.npy", Description = "The n x 2048 (embedding size) float32 .npy of x_a.", Required = true };
        var sampleRate = new Option<int>("--sample-rate") { Description = "Resample to this rate (the paper's 44100; Cnn14_mAP=0.431 was trained at 32000).", DefaultValueFactory = _ => 44100 };
        var offset = new Option<double>("--offset") { HelpName = "SECONDS", Description = "Start of the segment in each file.", DefaultValueFactory = _ => 0 };
        var duration = new Option<double>("--duration") { HelpName = "SECONDS", Description = "Segment length; shorter files are zero-padded.", DefaultValueFactory = _ => 5 };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "Skip the zero-mean unit-variance normalisation of each clip." };
        var clipwise = new Option<string?>("--clipwise") { HelpName = "Y.npy", Description = "Also write the sigmoid class outputs (n x classes)." };
        var melFilters = ModelOptions.MelFilters();
        var batchSize = new Option<int>("--batch-size") { Description = "Clips per forward pass.", DefaultValueFactory = _ => 16 };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var command = new Command("embed-audio",
            "Embed audio files with CNN14 in eval mode: decode, mono (channel mean), resample, take --duration seconds from --offset, normalise, log-mel, CNN14; " +
            "writes x_a (fc1 after ReLU) as float32 .npy, one row per file in order.")
        {
            cnn14, audio, output, sampleRate, offset, duration, noNormalize, clipwise, melFilters, batchSize, threads, device,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var dev = DeviceSelector.Parse(parse.GetValue(device)!);
            int batch = parse.GetValue(batchSize);
            Guard.Positive(batch);
            var files = parse.GetValue(audio)!;
            foreach (var f in files) Guard.FileExists(f, "audio file");
            string path = parse.GetValue(cnn14)!;
            var pre = new AudioPreprocessing
            {
                SampleRate = parse.GetValue(sampleRate),
                DurationSeconds = parse.GetValue(duration),
                Normalize = !parse.GetValue(noNormalize),
            };
            pre.Validate();
            using var loaded = Cnn14Checkpoint.Load(path, strict: true);
            var logMel = new LogMelOptions { SampleRate = pre.SampleRate, MelBins = loaded.Options.MelBins, FMax = Math.Min(14000, pre.SampleRate / 2.0) };
            var filters = ClapTraining.CheckFrontEnd(loaded.FrontEnd, logMel, TrainCommand.ParseMelFilters(parse.GetValue(melFilters)!), path,
                w => ctx.Error.WriteLine($"warning: {w}"));
            using var frontEnd = new LogMelSpectrogram(logMel, filters);
            var cnn = loaded.Model;
            cnn.to(dev);
            frontEnd.to(dev);
            cnn.eval();
            int d = cnn.EmbeddingSize, k = cnn.Options.ClassCount;
            var xa = new float[files.Length * d];
            var clip = new float[files.Length * k];
            double off = parse.GetValue(offset);
            CliProgress.Items<int>(ctx, "embed-audio", files.Length, p =>
            {
                using var _ = no_grad();
                for (int start = 0; start < files.Length; start += batch)
                {
                    token.ThrowIfCancellationRequested();
                    int n = Math.Min(batch, files.Length - start);
                    var waves = new float[n * pre.TargetSamples];
                    ParallelErrors.Run(() => Parallel.For(0, n, new ParallelOptions { CancellationToken = token },
                        i => AudioPreprocessor.Load(files[start + i], pre, off, null)
                            .CopyTo(waves, i * pre.TargetSamples)));
                    using var scope = NewDisposeScope();
                    using var output = cnn.call(frontEnd.call(tensor(waves, [n, pre.TargetSamples]).to(dev)));
                    output.Embedding.cpu().contiguous().data<float>().CopyTo(xa.AsSpan(start * d, n * d));
                    output.Clipwise.cpu().contiguous().data<float>().CopyTo(clip.AsSpan(start * k, n * k));
                    p?.Report(start + n);
                }
                return 0;
            });
            Guard.AllFinite(xa, d, "x_a");
            string outPath = parse.GetValue(output)!;
            NpyArray.WriteFloat32(outPath, xa, files.Length, d);
            if (parse.GetValue(clipwise) is { } cw) NpyArray.WriteFloat32(cw, clip, files.Length, k);
            ctx.Output.WriteLine($"wrote {files.Length} x {d} audio embeddings to {outPath}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
