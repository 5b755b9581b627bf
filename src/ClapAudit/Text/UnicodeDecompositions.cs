using System.Collections.Frozen;
using System.Text;

namespace ClapAudit.Text;

/// <summary>
/// Canonical decomposition (NFD without canonical reordering of combining marks) from a generated
/// table, because the solution runs with InvariantGlobalization, where <c>string.Normalize</c>
/// leaves non-ASCII text as it is. BERT's accent stripping drops the non-spacing marks right
/// after, so the mark order does not change its result.
/// </summary>
internal static partial class UnicodeDecompositions
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = 11172;

    // Lazy: static field initialisers across partial files run in an unspecified order.
    private static readonly Lazy<FrozenDictionary<int, (int Start, int Length)>> Index = new(BuildIndex);

    private static FrozenDictionary<int, (int, int)> BuildIndex()
    {
        var d = new Dictionary<int, (int, int)>(2100);
        for (int i = 0; i < Table.Length; i += 2 + Table[i + 1]) d[Table[i]] = (i + 2, Table[i + 1]);
        return d.ToFrozenDictionary();
    }

    public static string Decompose(string s)
    {
        bool ascii = true;
        foreach (char c in s) if (c >= 0x80) { ascii = false; break; }
        if (ascii) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var rune in s.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is >= SBase and < SBase + SCount)
            {
                int si = cp - SBase;
                sb.Append((char)(LBase + si / NCount)).Append((char)(VBase + si % NCount / TCount));
                if (si % TCount != 0) sb.Append((char)(TBase + si % TCount));
            }
            else if (Index.Value.TryGetValue(cp, out var e))
            {
                for (int k = 0; k < e.Length; k++) sb.Append(new Rune(Table[e.Start + k]).ToString());
            }
            else sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
