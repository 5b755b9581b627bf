using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using ClapAudit.Common;

namespace ClapAudit.Checkpoints.Pickle;

/// <summary>
/// A pickle reader (protocols 0-5, the opcodes torch.save and NumPy emit) that never executes
/// anything: GLOBAL/STACK_GLOBAL resolve through <see cref="PickleAllowList"/> only and any other
/// name is refused with its dotted name and the file; REDUCE/NEWOBJ call the allow-listed C#
/// builders; persistent ids (torch's storages) go to the caller's <c>persistentLoad</c>. It reads
/// exactly one pickle, up to STOP, so consecutive pickles in one stream (the legacy container)
/// are read by consecutive calls. Lengths are checked against the bytes left, so a corrupted
/// length fails with a message instead of a huge allocation.
/// Cost: O(bytes of the pickle) time; memory is the objects built plus the memo.
/// </summary>
public sealed class SafeUnpickler
{
    private readonly Stream _in;
    private readonly string _file;
    private readonly Func<PickleTuple, object?>? _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<List<object?>> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private List<object?> _current;

    private SafeUnpickler(Stream input, string file, Func<PickleTuple, object?>? persistentLoad)
    {
        _in = input;
        _file = file;
        _persistentLoad = persistentLoad;
        _current = _stack;
    }

    /// <summary>Reads one pickle from the stream's position; <paramref name="file"/> names it in errors.</summary>
    public static object? Load(Stream input, string file, Func<PickleTuple, object?>? persistentLoad = null)
    {
        var u = new SafeUnpickler(input, file, persistentLoad);
        long start = input.Position;
        try { return u.Run(); }
        catch (EndOfStreamException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{file}: truncated: a pickle starting at byte {start} ends before its STOP opcode (file is {input.Length} bytes)");
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentException or InvalidOperationException
                                       or OverflowException or FormatException or IndexOutOfRangeException)
        {
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{file}: corrupted pickle near byte {input.Position} ({e.Message})", e);
        }
    }

    private object? Run()
    {
        while (true)
        {
            long at = _in.Position;
            int op = _in.ReadByte();
            if (op < 0) throw new EndOfStreamException();
            switch (op)
            {
                case 0x80: // PROTO
                    int proto = ReadByte();
                    Guard.Data(proto <= 5, $"{_file}: pickle protocol {proto} at byte {at} is newer than 5");
                    break;
                case 0x95: ReadBytes(8); break; // FRAME: a length hint only
                case 0x2e: return Pop(); // STOP
                case 0x28: _marks.Push(_current); _current = []; break; // MARK
                case 0x30: Pop(); break; // POP
                case 0x31: PopMark(); break; // POP_MARK
                case 0x32: Push(Peek()); break; // DUP
                case 0x4e: Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case 0x4a: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case 0x4b: Push((long)ReadByte()); break; // BININT1
                case 0x4d: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(Long(ReadBytes(ReadByte()))); break; // LONG1
                case 0x8b: // LONG4
                    Push(Long(ReadBytes(Length(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)), at))));
                    break;
                case 0x47: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 0x49: Push(TextInt(ReadLine())); break; // INT
                case 0x4c: // LONG
                    Push(Normalise(BigInteger.Parse(ReadLine().TrimEnd('L'), CultureInfo.InvariantCulture)));
                    break;
                case 0x46: Push(double.Parse(ReadLine(), CultureInfo.InvariantCulture)); break; // FLOAT
                case 0x58: // BINUNICODE
                    Push(Utf8(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), at))));
                    break;
                case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: // BINUNICODE8
                    Push(Utf8(ReadBytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)), at))));
                    break;
                case 0x56: Push(ReadLine()); break; // UNICODE (raw-unicode-escape; ASCII names in practice)
                // Python 2 str: bytes that Python 3 decodes as latin-1 by default (torch does so).
                case 0x54: // BINSTRING
                    Push(Latin1(ReadBytes(Length(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)), at))));
                    break;
                case 0x55: Push(Latin1(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case 0x42: // BINBYTES
                    Push(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), at)));
                    break;
                case 0x43: Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case 0x8e: // BINBYTES8
                    Push(ReadBytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)), at)));
                    break;
                case 0x96: // BYTEARRAY8
                    Push(ReadBytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)), at)));
                    break;
                case 0x29: Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case 0x74: Push(new PickleTuple(PopMark().ToArray())); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop()])); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
                case 0x5d: Push(new List<object?>()); break; // EMPTY_LIST
                case 0x6c: Push(PopMark()); break; // LIST
                case 0x61: { var v = Pop(); ((List<object?>)Peek()!).Add(v); break; } // APPEND
                case 0x65: { var items = PopMark(); ((List<object?>)Peek()!).AddRange(items); break; } // APPENDS
                case 0x7d: Push(new PickleDict()); break; // EMPTY_DICT
                case 0x64: { var d = new PickleDict(); SetItems(d, PopMark()); Push(d); break; } // DICT
                case 0x73: { var v = Pop(); var k = Pop(); AsDict(Peek(), at).Set(Key(k), v); break; } // SETITEM
                case 0x75: { var items = PopMark(); SetItems(AsDict(Peek(), at), items); break; } // SETITEMS
                case 0x8f: Push(new PickleSet([])); break; // EMPTY_SET
                case 0x90: { var items = PopMark(); ((List<object?>)((PickleSet)Peek()!).Items).AddRange(items); break; } // ADDITEMS
                case 0x91: Push(new PickleSet(PopMark())); break; // FROZENSET
                case 0x71: _memo[ReadByte()] = Peek(); break; // BINPUT
                case 0x72: _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case 0x70: _memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Peek(); break; // PUT
                case 0x68: Push(MemoGet(ReadByte(), at)); break; // BINGET
                case 0x6a: // LONG_BINGET
                    Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), at));
                    break;
                case 0x67: Push(MemoGet(long.Parse(ReadLine(), CultureInfo.InvariantCulture), at)); break; // GET
                case 0x63: // GLOBAL "module\nname\n"
                {
                    string module = ReadLine(), name = ReadLine();
                    Push(PickleAllowList.Resolve(module, name, _file));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string;
                    var module = Pop() as string;
                    Guard.Data(name is not null && module is not null, $"{_file}: STACK_GLOBAL at byte {at} without two strings");
                    Push(PickleAllowList.Resolve(module!, name!, _file));
                    break;
                }
                case 0x52: // REDUCE
                {
                    var args = Pop() as PickleTuple;
                    var callable = Pop();
                    Push(Call(callable, args, at));
                    break;
                }
                case 0x81: // NEWOBJ: cls.__new__(cls, *args)
                {
                    var args = Pop() as PickleTuple;
                    var cls = Pop();
                    Push(Call(cls, args, at));
                    break;
                }
                case 0x92: // NEWOBJ_EX: keyword arguments are not used by any allow-listed class
                {
                    var kwargs = Pop();
                    var args = Pop() as PickleTuple;
                    var cls = Pop();
                    Guard.Data(kwargs is PickleDict { Count: 0 }, $"{_file}: NEWOBJ_EX at byte {at} with keyword arguments for {cls}");
                    Push(Call(cls, args, at));
                    break;
                }
                case 0x62: // BUILD
                {
                    var state = Pop();
                    switch (Peek())
                    {
                        case IPickleBuildable b: b.SetState(state, _file); break;
                        case PickleDict d: d.Attributes = state; break; // OrderedDict's __dict__ (_metadata)
                        case var other:
                            throw new ClapAuditException(ErrorKind.InvalidData,
                                $"{_file}: BUILD at byte {at} on {Describe(other)}, which takes no state");
                    }
                    break;
                }
                case 0x51: // BINPERSID
                {
                    var pid = Pop() as PickleTuple;
                    Guard.Data(pid is not null && _persistentLoad is not null,
                        $"{_file}: a persistent id at byte {at} where none is expected (or not a tuple)");
                    Push(_persistentLoad!(pid!));
                    break;
                }
                default:
                    throw new ClapAuditException(ErrorKind.InvalidData,
                        $"{_file}: pickle opcode 0x{op:x2} at byte {at} is not read here (not one torch.save or NumPy writes for data)");
            }
        }
    }

    private object? Call(object? callable, PickleTuple? args, long at)
    {
        if (callable is not PickleGlobal g)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{_file}: a call at byte {at} on {Describe(callable)}, which is not a global");
        Guard.Data(args is not null, $"{_file}: a call to {g.DottedName} at byte {at} without an argument tuple");
        return g.Call(args!, _file);
    }

    private static object Key(object? k) => k ?? throw new InvalidOperationException("a dict key is None");

    private void SetItems(PickleDict d, List<object?> items)
    {
        Guard.Data(items.Count % 2 == 0, $"{_file}: SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) d.Set(Key(items[i]), items[i + 1]);
    }

    private PickleDict AsDict(object? o, long at) => o as PickleDict
        ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{_file}: SETITEM at byte {at} on {Describe(o)}, not a dict");

    private object? MemoGet(long i, long at) => _memo.TryGetValue(i, out var v) ? v
        : throw new ClapAuditException(ErrorKind.InvalidData, $"{_file}: memo entry {i} read at byte {at} was never stored");

    private void Push(object? o) => _current.Add(o);

    private object? Pop()
    {
        if (_current.Count == 0) throw new InvalidOperationException("the pickle stack is empty");
        var o = _current[^1];
        _current.RemoveAt(_current.Count - 1);
        return o;
    }

    private object? Peek() => _current.Count > 0 ? _current[^1] : throw new InvalidOperationException("the pickle stack is empty");

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new InvalidOperationException("no MARK on the pickle stack");
        var items = _current;
        _current = _marks.Pop();
        return items;
    }

    private int ReadByte()
    {
        int b = _in.ReadByte();
        return b < 0 ? throw new EndOfStreamException() : b;
    }

    private byte[] ReadBytes(int n)
    {
        var b = new byte[n];
        _in.ReadExactly(b);
        return b;
    }

    /// <summary>A declared length, refused when it is negative or longer than what is left of the stream.</summary>
    private int Length(long declared, long at)
    {
        long left = _in.Length - _in.Position;
        if (declared < 0 || declared > left)
            throw new ClapAuditException(ErrorKind.InvalidData,
                $"{_file}: corrupted or truncated: the item at byte {at} declares {declared} bytes but {left} are left");
        return checked((int)declared);
    }

    private int Length(ulong declared, long at) => Length(declared > long.MaxValue ? -1 : (long)declared, at);

    private string ReadLine()
    {
        var sb = new StringBuilder();
        for (int b; (b = ReadByte()) != '\n';)
        {
            if (sb.Length > 4096) throw new FormatException("a text line longer than 4096 bytes");
            sb.Append((char)b);
        }
        return sb.ToString();
    }

    private static object TextInt(string s) => s switch
    {
        "01" => true,
        "00" => false,
        _ => Normalise(BigInteger.Parse(s, CultureInfo.InvariantCulture)),
    };

    /// <summary>Two's-complement little-endian, as LONG1/LONG4 store it.</summary>
    private static object Long(byte[] b) => b.Length == 0 ? 0L : Normalise(new BigInteger(b, isUnsigned: false, isBigEndian: false));

    private static object Normalise(BigInteger v) => v >= long.MinValue && v <= long.MaxValue ? (long)v : v;

    private static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);

    private static string Latin1(byte[] b) => Encoding.Latin1.GetString(b);

    internal static string Describe(object? o) => o switch
    {
        null => "None",
        PickleGlobal g => g.DottedName,
        _ => o.GetType().Name,
    };
}
