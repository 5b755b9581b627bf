using ClapAudit.Common;
using TorchSharp;

namespace ClapAudit.Models;

/// <summary>Turns a --device setting into a TorchSharp device, with a clear error when CUDA is absent.</summary>
public static class DeviceSelector
{
    public static torch.Device Parse(string name)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "cpu":
                return torch.CPU;
            case "cuda" or "gpu":
                if (!torch.cuda.is_available())
                    throw new ClapAuditException(ErrorKind.InvalidSetting,
                        "--device cuda: CUDA is not available (install TorchSharp-cuda-linux or -windows instead of TorchSharp-cpu, on a machine with an NVIDIA GPU)");
                return torch.CUDA;
            default:
                if (name.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase) && torch.cuda.is_available())
                    return new torch.Device(name);
                throw new ClapAuditException(ErrorKind.InvalidSetting, $"--device must be cpu or cuda, got '{name}'");
        }
    }

    /// <summary>Sets torch's intra-op thread count (0 or less: all cores).</summary>
    public static void SetThreads(int threads)
    {
        Guard.Setting(threads >= 0, $"threads must be 0 (all cores) or a positive count, got {threads}");
        torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
    }
}
