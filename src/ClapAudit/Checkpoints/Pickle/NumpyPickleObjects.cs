using System.Buffers.Binary;
using ClapAudit.Common;

namespace ClapAudit.Checkpoints.Pickle;

/// <summary>
/// A NumPy dtype as pickled: <c>numpy.dtype('u4', False, True)</c> then BUILD with
/// <c>(3, '&lt;', None, None, None, -1, -1, 0)</c> (version, byte order, ...).
/// </summary>
public sealed class NumpyDType(string code) : IPickleBuildable
{
    public string Code { get; } = code;
    public string ByteOrder { get; private set; } = "=";

    public void SetState(object? state, string file)
    {
        if (state is PickleTuple { Count: >= 2 } t && t[1] is string order) ByteOrder = order;
    }

    /// <summary>Bytes per element for the numeric codes NumPy pickles ('f8', 'i8', 'u4', 'b1', ...); 0 for others.</summary>
    public int ItemSize => Code.Length >= 2 && int.TryParse(Code[1..], out int n) ? n : Code == "?" ? 1 : 0;

    public override string ToString() => Code;
}

/// <summary>
/// A NumPy array: <c>numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')</c> then BUILD with
/// <c>(version, shape, dtype, is_fortran, raw bytes or list)</c>. Kept as shape, dtype and bytes
/// so a checkpoint's sampler state can be described; arrays of Python objects are not read.
/// </summary>
public sealed class NumpyArray : IPickleBuildable
{
    public long[] Shape { get; private set; } = [0];
    public NumpyDType? DType { get; private set; }
    public byte[] Data { get; private set; } = [];

    public void SetState(object? state, string file)
    {
        if (state is not PickleTuple { Count: 5 } t || t[1] is not PickleTuple shape || t[2] is not NumpyDType dtype)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{file}: a NumPy array whose state is not (version, shape, dtype, fortran, data)");
        Shape = shape.Items.Select(Convert.ToInt64).ToArray();
        DType = dtype;
        Data = t[4] as byte[] ?? [];
    }

    public override string ToString() => $"ndarray {DType} [{string.Join(", ", Shape)}]";
}

/// <summary>A NumPy scalar, <c>numpy.core.multiarray.scalar(dtype, raw bytes)</c>, decoded for the common codes.</summary>
public static class NumpyScalar
{
    public static object Decode(NumpyDType dtype, byte[] b)
    {
        bool big = dtype.ByteOrder == ">";
        return (dtype.Code, b.Length) switch
        {
            ("i8", 8) => big ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
            ("i4", 4) => (long)(big ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b)),
            ("u4", 4) => (long)(big ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b)),
            ("u8", 8) => big ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b),
            ("f8", 8) => big ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
            ("f4", 4) => (double)(big ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b)),
            ("b1", 1) => b[0] != 0,
            _ => $"numpy {dtype.Code} scalar",
        };
    }
}
