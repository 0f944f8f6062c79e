using System.Diagnostics;
using System.Net.Sockets;
using MessagePack;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// A dictionary in the manager server: keys and values are kept as the bytes the clients serialized them to, so the
/// server never needs the clients' types, and a get answers the stored bytes as they are. Keys are equal when their
/// bytes are (see <see cref="ManagerDict{TKey, TValue}"/>'s remarks). Every operation runs under one lock, so each is
/// atomic.
/// </summary>
internal sealed class ServedDict : ServedObject
{
    private readonly Dictionary<byte[], byte[]> _entries = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly Lock _sync = new();

    /// <summary>Initializes an empty dictionary (or namespace).</summary>
    public ServedDict(ManagerKind kind, string signature)
        : base(kind, signature)
    {
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <inheritdoc/>
    public override void Handle(ManagerOp op, ref FrameReader request, FrameBuilder answer, Socket client)
    {
        lock (_sync)
        {
            switch (op)
            {
                case ManagerOp.DictGet:
                    AnswerValue(request.ReadBlobSpan(), answer);
                    break;
                case ManagerOp.DictSet:
                {
                    ReadOnlySpan<byte> key = request.ReadBlobSpan();
                    _lookup[key] = request.ReadBlobSpan().ToArray();
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                }
                case ManagerOp.DictTryAdd:
                {
                    ReadOnlySpan<byte> key = request.ReadBlobSpan();
                    ReadOnlySpan<byte> value = request.ReadBlobSpan();
                    bool added = !_lookup.ContainsKey(key);
                    if (added)
                    {
                        _lookup[key] = value.ToArray();
                    }
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteByte(added ? (byte)1 : (byte)0);
                    break;
                }
                case ManagerOp.DictRemove:
                    if (_lookup.Remove(request.ReadBlobSpan(), out _, out byte[]? removed))
                    {
                        answer.StartAnswer(ManagerStatus.Ok);
                        answer.WriteBlob(removed);
                    }
                    else
                    {
                        answer.StartAnswer(ManagerStatus.Missing);
                    }
                    break;
                case ManagerOp.DictContains:
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteByte(_lookup.ContainsKey(request.ReadBlobSpan()) ? (byte)1 : (byte)0);
                    break;
                case ManagerOp.DictCount:
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(_entries.Count);
                    break;
                case ManagerOp.DictClear:
                    _entries.Clear();
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                case ManagerOp.DictItems:
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(_entries.Count);
                    foreach ((byte[] key, byte[] value) in _entries)
                    {
                        answer.WriteBlob(key);
                        answer.WriteBlob(value);
                    }
                    break;
                case ManagerOp.DictKeys:
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(_entries.Count);
                    foreach (byte[] key in _entries.Keys)
                    {
                        answer.WriteBlob(key);
                    }
                    break;
                case ManagerOp.DictUpdate:
                {
                    int count = request.ReadCount(minElementSize: 8);
                    for (int i = 0; i < count; i++)
                    {
                        ReadOnlySpan<byte> key = request.ReadBlobSpan();
                        _lookup[key] = request.ReadBlobSpan().ToArray();
                    }
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                }
                case ManagerOp.DictGetMany:
                {
                    int count = request.ReadCount(minElementSize: 4);
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(count);
                    for (int i = 0; i < count; i++)
                    {
                        if (_lookup.TryGetValue(request.ReadBlobSpan(), out byte[]? value))
                        {
                            answer.WriteByte(1);
                            answer.WriteBlob(value);
                        }
                        else
                        {
                            answer.WriteByte(0);
                        }
                    }
                    break;
                }
                case ManagerOp.DictTryUpdate:
                {
                    ReadOnlySpan<byte> key = request.ReadBlobSpan();
                    ReadOnlySpan<byte> value = request.ReadBlobSpan();
                    ReadOnlySpan<byte> expected = request.ReadBlobSpan();
                    bool updated = _lookup.TryGetValue(key, out byte[]? current) && current.AsSpan().SequenceEqual(expected);
                    if (updated)
                    {
                        _lookup[key] = value.ToArray();
                    }
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteByte(updated ? (byte)1 : (byte)0);
                    break;
                }
                case ManagerOp.DictGetOrAdd:
                {
                    ReadOnlySpan<byte> key = request.ReadBlobSpan();
                    ReadOnlySpan<byte> value = request.ReadBlobSpan();
                    if (!_lookup.TryGetValue(key, out byte[]? stored))
                    {
                        stored = value.ToArray();
                        _lookup[key] = stored;
                    }
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteBlob(stored);
                    break;
                }
                case ManagerOp.DictIncrement:
                    Increment(ref request, answer);
                    break;
                default:
                    throw NotSupported(op);
            }
        }
    }

    private void AnswerValue(ReadOnlySpan<byte> key, FrameBuilder answer)
    {
        if (_lookup.TryGetValue(key, out byte[]? value))
        {
            answer.StartAnswer(ManagerStatus.Ok);
            answer.WriteBlob(value);
        }
        else
        {
            answer.StartAnswer(ManagerStatus.Missing);
        }
    }

    /// <summary>
    /// Adds to a number in place: the stored bytes are a MessagePack number (what the clients' int, long or double
    /// serialize to), read, added to and written back in the same form, under the lock, so concurrent increments
    /// from any number of processes all count. An absent key counts as zero.
    /// </summary>
    private void Increment(ref FrameReader request, FrameBuilder answer)
    {
        Debug.Assert(_sync.IsHeldByCurrentThread, "Increments run under the dictionary's lock.");
        ReadOnlySpan<byte> key = request.ReadBlobSpan();
        var kind = (NumberKind)request.ReadByte();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(16);
        var writer = new MessagePackWriter(buffer);
        _lookup.TryGetValue(key, out byte[]? stored);
        try
        {
            var reader = new MessagePackReader(stored ?? []);
            switch (kind)
            {
                case NumberKind.Int32:
                {
                    long delta = request.ReadInt64();
                    long sum = checked((stored is null ? 0 : reader.ReadInt32()) + delta);
                    if (sum is > int.MaxValue or < int.MinValue)
                    {
                        throw new OverflowException();
                    }
                    writer.Write((int)sum);
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt64(sum);
                    break;
                }
                case NumberKind.Int64:
                {
                    long delta = request.ReadInt64();
                    long sum = checked((stored is null ? 0 : reader.ReadInt64()) + delta);
                    writer.Write(sum);
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt64(sum);
                    break;
                }
                case NumberKind.Double:
                {
                    double sum = (stored is null ? 0 : reader.ReadDouble()) + request.ReadDouble();
                    writer.Write(sum);
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteDouble(sum);
                    break;
                }
                default:
                    throw new InvalidOperationException($"Unknown number kind {(byte)kind} in an increment: the client and the server disagree on the protocol.");
            }
        }
        catch (OverflowException)
        {
            throw new InvalidOperationException($"Incrementing the {kind} under this key would overflow it; the value was left unchanged.");
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidOperationException($"The value under this key is not a {kind} ({e.Message}); the value was left unchanged.");
        }
        writer.Flush();
        _lookup[key] = buffer.WrittenSpan.ToArray();
    }
}
