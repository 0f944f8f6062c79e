using System.Net.Sockets;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// A queue in the manager server (Concur's own <see cref="FifoQueue{T}"/> of serialized items). A blocked put or
/// get waits on the thread that serves its client, in slices, and gives up when that client has gone, so a client
/// killed while waiting neither holds a thread for ever nor takes an item no one will read.
/// </summary>
internal sealed class ServedQueue : ServedObject
{
    /// <summary>How often a waiting operation looks whether its client is still there: a bound on how long a dead client's wait lingers.</summary>
    private static readonly TimeSpan s_slice = TimeSpan.FromMilliseconds(100);

    private readonly FifoQueue<byte[]> _queue;

    /// <summary>Initializes an empty queue holding at most <paramref name="maxSize"/> items (0 for no limit).</summary>
    public ServedQueue(string signature, int maxSize)
        : base(ManagerKind.Queue, signature)
    {
        _queue = new FifoQueue<byte[]>(maxSize);
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
                answer.StartAnswer(Wait(timeoutMs, client, slice => _queue.TryPut(item, slice)) ? ManagerStatus.Ok : ManagerStatus.Full);
                break;
            }
            case ManagerOp.QueueGet:
            {
                int timeoutMs = request.ReadInt32();
                byte[]? item = null;
                if (Wait(timeoutMs, client, slice => _queue.TryGet(out item, slice)))
                {
                    answer.StartAnswer(ManagerStatus.Ok);
                    answer.WriteBlob(item);
                }
                else
                {
                    answer.StartAnswer(ManagerStatus.Empty);
                }
                break;
            }
            case ManagerOp.QueueCount:
                answer.StartAnswer(ManagerStatus.Ok);
                answer.WriteInt32(_queue.Count);
                break;
            default:
                throw NotSupported(op);
        }
    }

    /// <summary>Tries <paramref name="attempt"/> in slices until it succeeds, the timeout passes or the client goes.</summary>
    private static bool Wait(int timeoutMs, Socket client, Func<TimeSpan, bool> attempt)
    {
        if (attempt(TimeSpan.Zero))
        {
            return true;
        }
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || ClientGone(client))
            {
                return false;
            }
            TimeSpan slice = left < s_slice.TotalMilliseconds ? TimeSpan.FromMilliseconds(left) : s_slice;
            if (attempt(slice))
            {
                return true;
            }
        }
    }
}
