using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Audio;

/// <summary>
/// PANNs/torchlibrosa's log-mel front-end as a TorchSharp module: waveform (B, samples) float32 to
/// log-mel (B, 1, frames, MelBins). Periodic Hann window of WindowSize (= n_fft), centred frames
/// with reflect padding of n_fft/2, power spectrogram |X|^2, product with the mel filters,
/// 10*log10(max(x, amin)) - 10*log10(max(amin, ref)), then (optional) top_db clamping against the
/// maximum of the whole batch, as torchlibrosa's power_to_db does.
/// Uses torch.stft rather than torchlibrosa's Conv1d with DFT kernels: the same sums, faster.
/// float32 input is computed in float32 like PyTorch; float64 input in float64.
/// The window and filters are private tensors moved by <c>.to(device)</c> (an override of
/// <c>_toEpilog</c>) and, as a fallback, to the input's device in forward. They are not registered
/// buffers: TorchSharp 0.107 neither lists nor moves non-persistent buffers, and persistent ones
/// would land in state dicts. The module has no parameters and an empty state dict.
/// </summary>
public sealed class LogMelSpectrogram : nn.Module<Tensor, Tensor>
{
    private readonly LogMelOptions _options;
    private readonly double _refDb;
    private Tensor _window;
    private Tensor _melW;

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
        _window = hann_window(options.WindowSize, periodic: true, dtype: float32).DetachFromDisposeScope();
        _melW = tensor(filters, [options.FftBins, options.MelBins], dtype: float32).DetachFromDisposeScope();
    }

    /// <summary>The mel filters in use, (n_fft/2+1) x MelBins.</summary>
    public float[] MelFilters() => _melW.cpu().data<float>().ToArray();

    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        // Only the device follows; the tensors stay float32 (forward casts for float64 input).
        if (device is not null && _window.device != device)
        {
            var w = _window.to(device).DetachFromDisposeScope();
            var m = _melW.to(device).DetachFromDisposeScope();
            _window.Dispose();
            _melW.Dispose();
            (_window, _melW) = (w, m);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _window.Dispose();
            _melW.Dispose();
        }
        base.Dispose(disposing);
    }

    public override Tensor forward(Tensor waveform)
    {
        if (waveform.dim() != 2)
            throw new ClapAuditException(ErrorKind.Mismatch, $"log-mel input must be (batch, samples), got shape [{string.Join(", ", waveform.shape)}]");
        if (waveform.shape[1] <= _options.WindowSize / 2)
            throw new ClapAuditException(ErrorKind.Mismatch,
                $"log-mel input has {waveform.shape[1]} samples; reflect padding needs more than n_fft/2 = {_options.WindowSize / 2}");
        using var scope = NewDisposeScope();
        // float64 input runs the whole chain in float64 (exact to ~1e-9 dB); anything else in float32.
        var dtype = waveform.dtype == float64 ? float64 : float32;
        var x = waveform.dtype == dtype ? waveform : waveform.to_type(dtype);
        // The float64 path builds its window in float64: float32 window rounding alone moves bins far
        // below the frame peak (filled by window leakage) by ~5e-4 dB.
        var window = dtype == float64
            ? hann_window(_options.WindowSize, periodic: true, dtype: float64, device: x.device)
            : _window.to(x.device);
        var melW = _melW.to(dtype, x.device);
        var spec = stft(x, _options.WindowSize, hop_length: _options.HopSize, win_length: _options.WindowSize, window: window,
            center: true, pad_mode: PaddingModes.Reflect, normalized: false, onesided: true, return_complex: true); // (B, F, T)
        var re = spec.real;
        var im = spec.imag;
        var power = re.Squared().PlusInPlace(im.Squared());                   // |X|^2, (B, F, T)
        var mel = matmul(power.transpose(1, 2), melW);               // (B, T, M)
        var db = mel.ClampMinInPlace(_options.Amin).log10_().TimesInPlace(10.0);
        if (_refDb != 0) db = db.MinusInPlace(_refDb);
        if (_options.TopDb is double topDb)
            db = db.ClampMinInPlace(db.max().ItemAsDouble() - topDb);
        return db.unsqueeze(1).MoveToOuterDisposeScope();
    }
}
