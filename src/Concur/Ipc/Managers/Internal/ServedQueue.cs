using System.Net.Sockets;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// A queue in the manager server, of serialized items. A blocked put or get waits on the thread that serves its
/// client, woken by the other side or every 100 ms to look whether its client is still there; a get takes an item
/// only after seeing that its client's connection is open, so a client killed while waiting neither holds a thread
/// for ever nor takes an item no one will read (what remains is the short window between that look and the answer's
/// arrival, which no protocol without acknowledgements closes).
/// </summary>
internal sealed class ServedQueue : ServedObject
{
    /// <summary>How often a waiting operation looks whether its client is still there: a bound on how long a dead client's wait lingers.</summary>
    private const int SliceMs = 100;

    private readonly Queue<byte[]> _items = new();
    private readonly int _maxSize;

    /// <summary>Initializes an empty queue holding at most <paramref name="maxSize"/> items (0 for no limit).</summary>
    public ServedQueue(string signature, int maxSize)
        : base(ManagerKind.Queue, signature)
    {
        _maxSize = maxSize;
    }

    /// <inheritdoc/>
    public override void Handle(ManagerOp op, ref FrameReader request, FrameBuilder answer, Socket client)
    {
        switch (op)
        {
            case ManagerOp.QueuePut:
            {
                byte[] item = request.ReadBlobSpan().ToArray();
                int timeoutMs = request.ReadInt32();
                answer.StartAnswer(Put(item, timeoutMs, client) ? ManagerStatus.Ok : ManagerStatus.Full);
                break;
            }
            case ManagerOp.QueueGet:
                if (TryGet(request.ReadInt32(), client, out byte[]? taken))
                {
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteBlob(taken);
                }
                else
                {
                    answer.StartAnswer(ManagerStatus.Empty);
                }
                break;
            case ManagerOp.QueueCount:
                answer.StartAnswer(ManagerStatus.Ok);
                lock (_items)
                {
                    answer.WriteInt32(_items.Count);
                }
                break;
            default:
                throw NotSupported(op);
        }
    }

    private bool Put(byte[] item, int timeoutMs, Socket client)
    {
        long deadline = Deadline(timeoutMs);
        lock (_items)
        {
            while (_maxSize > 0 && _items.Count >= _maxSize)
            {
                if (!WaitSlice(deadline, client))
                {
                    return false;
                }
            }
            _items.Enqueue(item);
            Monitor.PulseAll(_items);
            return true;
        }
    }

    private bool TryGet(int timeoutMs, Socket client, out byte[]? item)
    {
        long deadline = Deadline(timeoutMs);
        lock (_items)
        {
            while (_items.Count == 0 || ClientGone(client))
            {
                if (!WaitSlice(deadline, client))
                {
                    item = null;
                    return false;
                }
            }
            item = _items.Dequeue();
            Monitor.PulseAll(_items);
            return true;
        }
    }

    private static long Deadline(int timeoutMs) => timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;

    /// <summary>Waits under the lock for a change, up to a slice; false when the time is up or the client has gone.</summary>
    private bool WaitSlice(long deadline, Socket client)
    {
        long left = deadline - Environment.TickCount64;
        if (left <= 0 || ClientGone(client))
        {
            return false;
        }
        Monitor.Wait(_items, (int)Math.Min(left, SliceMs));
        return true;
    }
}
