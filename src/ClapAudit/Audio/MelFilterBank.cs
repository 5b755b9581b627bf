namespace ClapAudit.Audio;

/// <summary>
/// The mel filter bank of <c>librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax)</c> with its defaults
/// (htk=False: Slaney's mel scale, linear below 1 kHz and logarithmic above; norm='slaney': each
/// triangle scaled by 2/(its width in Hz)), transposed to (n_fft/2+1) x n_mels as torchlibrosa's melW.
/// Computed in double; equal to torchaudio's melscale_fbanks(norm="slaney", mel_scale="slaney").
/// </summary>
public static class MelFilterBank
{
    public static float[] Create(LogMelOptions o)
    {
        double[] w = CreateDouble(o);
        var f = new float[w.Length];
        for (int i = 0; i < w.Length; i++) f[i] = (float)w[i];
        return f;
    }

    internal static double[] CreateDouble(LogMelOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        int bins = o.FftBins, mels = o.MelBins;
        var fft = new double[bins];
        double step = o.SampleRate / 2.0 / (bins - 1);
        for (int k = 0; k < bins; k++) fft[k] = k * step; // numpy.linspace(0, sr/2, bins)
        double mMin = HzToMel(o.FMin), mMax = HzToMel(o.FMax);
        var melF = new double[mels + 2];
        double melStep = (mMax - mMin) / (mels + 1);
        for (int i = 0; i < mels + 2; i++) melF[i] = MelToHz(i * melStep + mMin);
        var w = new double[bins * mels];
        for (int m = 0; m < mels; m++)
        {
            double lowW = melF[m + 1] - melF[m], highW = melF[m + 2] - melF[m + 1];
            double enorm = 2.0 / (melF[m + 2] - melF[m]);
            for (int k = 0; k < bins; k++)
            {
                double lower = -(melF[m] - fft[k]) / lowW;
                double upper = (melF[m + 2] - fft[k]) / highW;
                w[k * mels + m] = Math.Max(0, Math.Min(lower, upper)) * enorm;
            }
        }
        return w;
    }

    private const double FSp = 200.0 / 3, MinLogHz = 1000.0, MinLogMel = MinLogHz / FSp;
    private static readonly double LogStep = Math.Log(6.4) / 27.0;

    /// <summary>Slaney mel scale (librosa htk=False).</summary>
    public static double HzToMel(double hz) => hz >= MinLogHz ? MinLogMel + Math.Log(hz / MinLogHz) / LogStep : hz / FSp;

    public static double MelToHz(double mel) => mel >= MinLogMel ? MinLogHz * Math.Exp(LogStep * (mel - MinLogMel)) : FSp * mel;
}
