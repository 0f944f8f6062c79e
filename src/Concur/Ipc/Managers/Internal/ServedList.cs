using System.Net.Sockets;

namespace Concur.Ipc.Managers.Internal;

/// <summary>A list in the manager server, of the items' serialized bytes; every operation runs under one lock.</summary>
internal sealed class ServedList : ServedObject
{
    private readonly List<byte[]> _items = [];
    private readonly Lock _sync = new();

    /// <summary>Initializes an empty list.</summary>
    public ServedList(string signature)
        : base(ManagerKind.List, signature)
    {
    }

    /// <inheritdoc/>
    public override void Handle(ManagerOp op, ref FrameReader request, FrameBuilder answer, Socket client)
    {
        lock (_sync)
        {
            switch (op)
            {
                case ManagerOp.ListAdd:
                    _items.Add(request.ReadBlobSpan().ToArray());
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(_items.Count - 1);
                    break;
                case ManagerOp.ListAddRange:
                {
                    int count = request.ReadCount(minElementSize: 4);
                    for (int i = 0; i < count; i++)
                    {
                        _items.Add(request.ReadBlobSpan().ToArray());
                    }
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                }
                case ManagerOp.ListGet:
                {
                    int index = request.ReadInt32();
                    if (OutOfRange(index, answer, allowEnd: false))
                    {
                        break;
                    }
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteBlob(_items[index]);
                    break;
                }
                case ManagerOp.ListSet:
                {
                    int index = request.ReadInt32();
                    ReadOnlySpan<byte> value = request.ReadBlobSpan();
                    if (OutOfRange(index, answer, allowEnd: false))
                    {
                        break;
                    }
                    _items[index] = value.ToArray();
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                }
                case ManagerOp.ListInsert:
                {
                    int index = request.ReadInt32();
                    ReadOnlySpan<byte> value = request.ReadBlobSpan();
                    if (OutOfRange(index, answer, allowEnd: true))
                    {
                        break;
                    }
                    _items.Insert(index, value.ToArray());
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                }
                case ManagerOp.ListRemoveAt:
                {
                    int index = request.ReadInt32();
                    if (OutOfRange(index, answer, allowEnd: false))
                    {
                        break;
                    }
                    byte[] removed = _items[index];
                    _items.RemoveAt(index);
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteBlob(removed);
                    break;
                }
                case ManagerOp.ListCount:
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(_items.Count);
                    break;
                case ManagerOp.ListClear:
                    _items.Clear();
                    answer.StartAnswer(ManagerStatus.Ok);
                    break;
                case ManagerOp.ListItems:
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteInt32(_items.Count);
                    foreach (byte[] item in _items)
                    {
                        answer.WriteBlob(item);
                    }
                    break;
                default:
                    throw NotSupported(op);
            }
        }
    }

    /// <summary>Answers Missing with the count when <paramref name="index"/> is outside the list.</summary>
    private bool OutOfRange(int index, FrameBuilder answer, bool allowEnd)
    {
        if (index >= 0 && (index < _items.Count || (allowEnd && index == _items.Count)))
        {
            return false;
        }
        answer.StartAnswer(ManagerStatus.Missing);
        answer.WriteInt32(_items.Count);
        return true;
    }
}
