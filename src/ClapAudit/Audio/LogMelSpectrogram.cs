using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Audio;

/// <summary>
/// PANNs/torchlibrosa's log-mel front-end as a TorchSharp module: waveform (B, samples) float32 to
/// log-mel (B, 1, frames, MelBins). Periodic Hann window of WindowSize (= n_fft), centred frames
/// with reflect padding of n_fft/2, power spectrogram |X|^2, product with the mel filters,
/// 10*log10(max(x, amin)) - 10*log10(max(amin, ref)), then (optional) top_db clamping against the
/// maximum of the whole batch, as torchlibrosa's power_to_db does.
/// Uses torch.stft rather than torchlibrosa's Conv1d with DFT kernels: the same sums, faster.
/// The window and filters are non-persistent buffers: they follow <c>.to(device)</c> and stay out
/// of state dicts; the module has no parameters.
/// </summary>
public sealed class LogMelSpectrogram : nn.Module<Tensor, Tensor>
{
    private readonly LogMelOptions _options;
    private readonly double _refDb;

    public LogMelOptions Options => _options;

    /// <param name="options">Front-end settings (validated).</param>
    /// <param name="melFilters">(n_fft/2+1) x MelBins row-major filters, e.g. a checkpoint's
    /// <c>logmel_extractor.melW</c>; null computes librosa's Slaney filters for the options.</param>
    public LogMelSpectrogram(LogMelOptions options, float[]? melFilters = null) : base(nameof(LogMelSpectrogram))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        float[] filters = melFilters ?? MelFilterBank.Create(options);
        if (filters.Length != options.FftBins * options.MelBins)
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"mel filters have {filters.Length} values, expected {options.FftBins} x {options.MelBins} = {options.FftBins * options.MelBins} for n_fft {options.WindowSize} and {options.MelBins} mel bins");
        _refDb = 10.0 * Math.Log10(Math.Max(options.Amin, options.Ref));
        register_buffer("window", hann_window(options.WindowSize, periodic: true, dtype: float32), persistent: false);
        register_buffer("melW", tensor(filters, [options.FftBins, options.MelBins], dtype: float32), persistent: false);
    }

    public override Tensor forward(Tensor waveform)
    {
        if (waveform.dim() != 2)
            throw new ClapAuditException(ErrorKind.Mismatch, $"log-mel input must be (batch, samples), got shape [{string.Join(", ", waveform.shape)}]");
        if (waveform.shape[1] <= _options.WindowSize / 2)
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"log-mel input has {waveform.shape[1]} samples; reflect padding needs more than n_fft/2 = {_options.WindowSize / 2}");
        using var scope = NewDisposeScope();
        var window = get_buffer("window")!;
        var melW = get_buffer("melW")!;
        var x = waveform.dtype == float32 ? waveform : waveform.to_type(float32);
        var spec = stft(x, _options.WindowSize, hop_length: _options.HopSize, win_length: _options.WindowSize, window: window,
            center: true, pad_mode: PaddingModes.Reflect, normalized: false, onesided: true, return_complex: true); // (B, F, T)
        var re = spec.real;
        var im = spec.imag;
        var power = re.square().add_(im.square());                   // |X|^2, (B, F, T)
        var mel = matmul(power.transpose(1, 2), melW);               // (B, T, M)
        var db = mel.clamp_(min: _options.Amin).log10_().mul_(10.0);
        if (_refDb != 0) db = db.sub_(_refDb);
        if (_options.TopDb is double topDb)
            db = db.clamp_(min: db.max().item<float>() - topDb);
        return db.unsqueeze(1).MoveToOuterDisposeScope();
    }
}
