using System.Collections;
using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ClapAudit.Training.Pretraining;

/// <summary>
/// Writes a CNN14 as PANNs saves it: a PyTorch zip file holding {'model': state dict with PANNs key
/// names, 'iteration': int, 'clapaudit': JSON string}. The state dict also carries the torchlibrosa
/// front-end buffers Cnn14_mAP=0.431.pth has (STFT kernels [n_fft/2+1, 1, n_fft] and melW
/// [n_fft/2+1, mels] for the configured rate), so it loads wherever that file does.
/// </summary>
public static class PannsCheckpointWriter
{
    public const string MetadataKey = "clapaudit";

    public static void Write(string path, Cnn14 model, LogMelOptions frontEnd, long iteration, string metadataJson)
    {
        frontEnd.Validate();
        Guard.Match(frontEnd.MelBins == model.Options.MelBins, $"front-end has {frontEnd.MelBins} mels, the model {model.Options.MelBins}");
        using var scope = NewDisposeScope();
        int n = frontEnd.WindowSize, bins = frontEnd.FftBins;
        var (re, im) = FrontEndCheck.StftKernels(n);
        var sd = new Hashtable
        {
            [Cnn14FrontEndBuffers.StftRealKey] = tensor(re, [bins, 1, n]),
            [Cnn14FrontEndBuffers.StftImagKey] = tensor(im, [bins, 1, n]),
            [Cnn14FrontEndBuffers.MelFiltersKey] = tensor(MelFilterBank.Create(frontEnd), [bins, frontEnd.MelBins]),
        };
        foreach (var (key, value) in model.state_dict())
            sd[key] = value.detach().cpu().contiguous();
        var root = new Hashtable { ["model"] = sd, ["iteration"] = iteration, [MetadataKey] = metadataJson };
        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, root, leaveOpen: true));
    }
}
