using ClapAudit.Models;
using TorchSharp;

namespace ClapAudit.Tests.Models;

public class TorchRuntimeTests
{
    [Fact]
    public void NativeLibraryLoadsAndComputes()
    {
        // Proves the set-up on a fresh machine: libtorch loads (GLIBCXX_3.4.32 present) and computes.
        using var a = torch.arange(1, 5, dtype: torch.float32).reshape(2, 2);
        using var b = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 11, 11, 25 }, b.data<float>().ToArray());
    }

    [Fact]
    public void CpuDeviceParsesAndUnknownDeviceIsASettingError()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Parse("cpu").type);
        var e = Assert.Throws<ClapAudit.Common.ClapAuditException>(() => DeviceSelector.Parse("tpu"));
        Assert.Contains("tpu", e.Message);
    }
}
