using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ClapAudit.Analysis;

/// <summary>
/// Dot products between every row of A and every row of B (A B^T) in double precision.
/// Register-blocked: a 4 x 2 micro-kernel keeps eight Vector256 accumulators, so each loaded vector
/// feeds several fused multiply-adds; B is walked in panels small enough to stay in L2 while all
/// rows of A pass over them. Without 256-bit SIMD it falls back to TensorPrimitives.Dot per pair.
/// Time O(|A| |B| d); no memory beyond the output.
/// </summary>
internal static class GramKernel
{
    private const int PanelRows = 24;

    /// <remarks>dest: |A| x |B| row-major; dest[i * bRows + j] = a_i . b_j.</remarks>
    public static void Dots(ReadOnlySpan<double> a, int aRows, ReadOnlySpan<double> b, int bRows, int d, Span<double> dest)
    {
        if (dest.Length < aRows * bRows) throw new ArgumentException("destination too small");
        if (!Vector256.IsHardwareAccelerated || d < Vector256<double>.Count)
        {
            for (int i = 0; i < aRows; i++)
                for (int j = 0; j < bRows; j++)
                    dest[i * bRows + j] = TensorPrimitives.Dot(a.Slice(i * d, d), b.Slice(j * d, d));
            return;
        }
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rb = ref MemoryMarshal.GetReference(b);
        for (int jp = 0; jp < bRows; jp += PanelRows)
        {
            int jEnd = Math.Min(bRows, jp + PanelRows);
            int i = 0;
            for (; i + 4 <= aRows; i += 4)
            {
                int j = jp;
                for (; j + 2 <= jEnd; j += 2) Kernel4x2(ref ra, i, ref rb, j, d, dest, bRows);
                for (; j < jEnd; j++)
                    for (int ii = i; ii < i + 4; ii++)
                        dest[ii * bRows + j] = TensorPrimitives.Dot(a.Slice(ii * d, d), b.Slice(j * d, d));
            }
            for (; i < aRows; i++)
                for (int j = jp; j < jEnd; j++)
                    dest[i * bRows + j] = TensorPrimitives.Dot(a.Slice(i * d, d), b.Slice(j * d, d));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel4x2(ref double a, int i, ref double b, int j, int d, Span<double> dest, int stride)
    {
        ref double a0 = ref Unsafe.Add(ref a, (nint)i * d);
        ref double a1 = ref Unsafe.Add(ref a0, d);
        ref double a2 = ref Unsafe.Add(ref a1, d);
        ref double a3 = ref Unsafe.Add(ref a2, d);
        ref double b0 = ref Unsafe.Add(ref b, (nint)j * d);
        ref double b1 = ref Unsafe.Add(ref b0, d);
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        int w = Vector256<double>.Count;
        int k = 0;
        for (; k + w <= d; k += w)
        {
            var y0 = Vector256.LoadUnsafe(ref b0, (nuint)k);
            var y1 = Vector256.LoadUnsafe(ref b1, (nuint)k);
            var x = Vector256.LoadUnsafe(ref a0, (nuint)k);
            c00 = Vector256.FusedMultiplyAdd(x, y0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, y1, c01);
            x = Vector256.LoadUnsafe(ref a1, (nuint)k);
            c10 = Vector256.FusedMultiplyAdd(x, y0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, y1, c11);
            x = Vector256.LoadUnsafe(ref a2, (nuint)k);
            c20 = Vector256.FusedMultiplyAdd(x, y0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, y1, c21);
            x = Vector256.LoadUnsafe(ref a3, (nuint)k);
            c30 = Vector256.FusedMultiplyAdd(x, y0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, y1, c31);
        }
        double s00 = Vector256.Sum(c00), s01 = Vector256.Sum(c01), s10 = Vector256.Sum(c10), s11 = Vector256.Sum(c11);
        double s20 = Vector256.Sum(c20), s21 = Vector256.Sum(c21), s30 = Vector256.Sum(c30), s31 = Vector256.Sum(c31);
        for (; k < d; k++)
        {
            double y0 = Unsafe.Add(ref b0, k), y1 = Unsafe.Add(ref b1, k);
            double x0 = Unsafe.Add(ref a0, k), x1 = Unsafe.Add(ref a1, k), x2 = Unsafe.Add(ref a2, k), x3 = Unsafe.Add(ref a3, k);
            s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
            s20 += x2 * y0; s21 += x2 * y1; s30 += x3 * y0; s31 += x3 * y1;
        }
        int o = i * stride + j;
        dest[o] = s00; dest[o + 1] = s01;
        dest[o + stride] = s10; dest[o + stride + 1] = s11;
        dest[o + 2 * stride] = s20; dest[o + 2 * stride + 1] = s21;
        dest[o + 3 * stride] = s30; dest[o + 3 * stride + 1] = s31;
    }
}
