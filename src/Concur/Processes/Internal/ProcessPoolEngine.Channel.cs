using System.Buffers;
using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>
/// The worker channel: each worker's send queue, written by whoever holds its send lock, and its reader thread,
/// which holds the parent's side of the protocol as a strict state machine.
/// </summary>
/// <remarks>
/// <para>What a worker may send, in order:</para>
/// <code>
///  Ready(pid) ─┬─► [InitializeFailed]             (only with an initializer, before any answer; then the worker exits)
///              └─► (Result | Error)(head task) *  (only for the task it is running, the head of Outstanding)
/// </code>
/// <para>
/// Anything else (an unknown kind, a second Ready, an answer for a task it is not running, a body that does not
/// decode, a frame above <see cref="ChannelLimits.MaxFrameBytes"/>, a frame cut off by the pipe closing or
/// stalling) is a corrupt frame: the worker is killed and replaced, and only the task it was running fails, with
/// a <see cref="WorkerCrashedException"/> that says what the worker sent. Nothing a worker writes can throw on
/// the reader thread, leave a task pending, or break the pool.
/// </para>
/// </remarks>
internal sealed partial class ProcessPoolEngine
{
    /// <summary>Frames up to this size are written by the reader thread itself. An idle worker's pipe is empty, and what
    /// it is given then (its task's frames, each at most this size, then at most <see cref="PipelineDepth"/> frames of
    /// at most <see cref="PipelinedFrame"/> bytes behind it) fits in the pipe's 64 KiB, so the write cannot block (a
    /// blocked reader thread could deadlock with a worker blocked writing its result).</summary>
    private const int SmallFrame = 16 * 1024;

    private static readonly int s_readerSpin = int.TryParse(Environment.GetEnvironmentVariable("CONCUR_READER_SPIN_US"), out int us) ? us : 0;

    // ---- Sending ----

    private void FlushAll(List<WorkerProcess>? flush, bool mayBlock)
    {
        if (flush is null)
        {
            return;
        }
        WorkerProcess? previous = null;
        foreach (WorkerProcess w in flush)
        {
            if (!ReferenceEquals(w, previous))
            {
                Flush(w, mayBlock);
                previous = w;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="w"/>'s queued frames. Whoever holds its send lock writes everything queued, and
    /// rechecks after letting go, so a thread that finds the lock taken can simply leave its frames to the holder.
    /// </summary>
    private void Flush(WorkerProcess w, bool mayBlock)
    {
        byte[]? coalesced = null;
        while (true)
        {
            if (!w.SendLock.TryEnter())
            {
                return;
            }
            bool handOff = false;
            try
            {
                while (true)
                {
                    int length = 0;
                    OutgoingFrame? single = null;
                    lock (_gate)
                    {
                        if (w.SendQueue.Count == 0)
                        {
                            break;
                        }
                        if (!mayBlock && w.SendQueue.Peek().Length > SmallFrame)
                        {
                            handOff = true;
                            break;
                        }
                        if (w.SendQueue.Count == 1 || w.SendQueue.Peek().Array is not { Length: <= SmallFrame })
                        {
                            single = w.SendQueue.Dequeue();
                        }
                        else
                        {
                            // Several small frames: one write system call for all of them.
                            coalesced ??= ArrayPool<byte>.Shared.Rent(64 * 1024);
                            while (w.SendQueue.Count > 0 && w.SendQueue.Peek().Array is { Length: <= SmallFrame } frame &&
                                   length + frame.Length <= coalesced.Length)
                            {
                                w.SendQueue.Dequeue();
                                frame.CopyTo(coalesced, length);
                                length += frame.Length;
                            }
                        }
                    }
                    try
                    {
                        if (single is not null)
                        {
                            single.WriteTo(w.ToWorker);
                        }
                        else
                        {
                            w.ToWorker.Write(coalesced!, 0, length);
                        }
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        // The worker is gone (or the task ended and released its frame); the reader thread reports
                        // the death and the tasks are re-queued.
                        lock (_gate)
                        {
                            w.SendQueue.Clear();
                        }
                        break;
                    }
                }
            }
            finally
            {
                w.SendLock.Exit();
            }
            if (handOff)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Engine.Flush(state.Worker, mayBlock: true), (Engine: this, Worker: w), preferLocal: false);
                break;
            }
            lock (_gate)
            {
                if (w.SendQueue.Count == 0)
                {
                    break;
                }
            }
        }
        if (coalesced is not null)
        {
            ArrayPool<byte>.Shared.Return(coalesced);
        }
    }

    // ---- Result path (reader threads) ----

    private void StartReader(WorkerProcess w)
    {
        w.Reader = new FrameReader(w.FromWorker, _limits.MaxFrameBytes, onWait: () => _supervisorEvents.Add(null))
        {
            SpinMicroseconds = s_readerSpin,
        };
        var thread = new Thread(() => Read(w)) { IsBackground = true, Name = $"Concur reader {w.Name}" };
        thread.Start();
    }

    /// <summary>The reader thread: one frame at a time, header first, so a frame is refused before its body is awaited.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Nothing a worker sends may escape the reader thread: it would end the parent process.")]
    private void Read(WorkerProcess w)
    {
        FrameReader reader = w.Reader!;
        try
        {
            while (reader.TryReadHeader(out FrameHeader header))
            {
                Handle(w, reader, header);
            }
        }
        catch (CorruptFrameException e)
        {
            Corrupt(w, e.Message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe broke: treated as the worker's death below (the worker is killed and replaced).
            w.Kill();
        }
        catch (Exception e)
        {
            Corrupt(w, $"a frame the parent could not handle ({e.GetType().Name}: {e.Message})");
        }
        finally
        {
            reader.Dispose();
        }
        _supervisorEvents.Add(() => OnWorkerEnded(w));
    }

    /// <summary>
    /// Admits one frame whose header was just read, reads its body and acts on it. A method of its own so that the
    /// reader loop's frame keeps nothing of an answer (the task, its result, its arrays) while it waits for the next
    /// frame: a finished task's result must be collectable at once (CPython fixed the same for its workers in
    /// bpo-16284), and a Debug build keeps a loop's locals and temporaries alive.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Handle(WorkerProcess w, FrameReader reader, in FrameHeader header)
    {
        WorkItem? answered = Admit(w, header);
        if (header.Kind == FrameKind.ResultArray)
        {
            w.ResultArrays.Add(reader.ReadArray(header));
            return;
        }
        ReadOnlySequence<byte> body = reader.ReadBody(header);
        switch (header.Kind)
        {
            case FrameKind.Ready:
                OnReady(w, FromWorker.Ready.Decode(header));
                break;
            case FrameKind.Result:
                OnResult(w, header, body, answered!);
                break;
            case FrameKind.Error:
                OnAnswer(w, header.Id, default, FromWorker.Error.Decode(header, body).Exception);
                break;
            case FrameKind.Skipped:
                OnSkipped(w, header);
                break;
            case FrameKind.InitializeFailed:
                RemoteException error = FromWorker.InitializeFailed.Decode(header, body).Exception;
                lock (_gate)
                {
                    w.InitializeError = error;
                }
                break;
        }
    }

    /// <summary>Checks a header against the worker's state before its body is read.</summary>
    /// <returns>For a Result or Error frame, the task it answers (the one the worker is running); otherwise null.</returns>
    /// <exception cref="CorruptFrameException">The frame is not one the worker may send now.</exception>
    private WorkItem? Admit(WorkerProcess w, in FrameHeader header)
    {
        lock (_gate)
        {
            AssertInvariants();
            if (w.Corruption is not null)
            {
                throw new CorruptFrameException(w.Corruption);
            }
            if (w.InitializeError is not null)
            {
                throw new CorruptFrameException($"a {Describe(header.Kind)} frame after InitializeFailed (the worker should have exited)");
            }
            switch (header.Kind)
            {
                case FrameKind.Ready when w.Ready:
                    throw new CorruptFrameException("a second Ready frame");
                case FrameKind.Ready when header.Id != w.Pid:
                    throw new CorruptFrameException($"a Ready frame for process {header.Id}");
                case FrameKind.Ready:
                    return null;
                case FrameKind.Result or FrameKind.Error or FrameKind.InitializeFailed or FrameKind.ResultArray or FrameKind.Skipped when !w.Ready:
                    throw new CorruptFrameException($"a {header.Kind} frame before its Ready frame");
                case not FrameKind.ResultArray when w.ResultArrays.Count > 0 && (header.Kind != FrameKind.Result || header.Id != w.ResultArraysFor):
                    throw new CorruptFrameException(
                        $"a {Describe(header.Kind)} frame for id {header.Id} after {w.ResultArrays.Count} ResultArray frames for task {w.ResultArraysFor}");
                case FrameKind.ResultArray:
                    if (w.Outstanding.Count == 0 || w.Outstanding.Peek().Id != header.Id)
                    {
                        throw new CorruptFrameException(w.Outstanding.Count == 0
                            ? $"a ResultArray frame for task {header.Id} while it was running none"
                            : $"a ResultArray frame for task {header.Id} while it was running task {w.Outstanding.Peek().Id}");
                    }
                    if (w.ResultArrayBytes + header.BodyLength > _limits.MaxFrameBytes)
                    {
                        throw new CorruptFrameException(
                            $"ResultArray frames of more than {_limits.MaxFrameBytes:N0} bytes in all for one result (raise the limit with " +
                            $"the {ChannelLimits.MaxFrameBytesSetting} setting if results really are that large)");
                    }
                    w.ResultArrayBytes += header.BodyLength;
                    w.ResultArraysFor = header.Id;
                    // The call will not be sent again: free its frame (and the arrays sent with it) before the answer takes memory.
                    w.Outstanding.Peek().Frame.Release();
                    return null;
                case FrameKind.Skipped:
                    if (w.Outstanding.Count == 0 || w.Outstanding.Peek().Id != header.Id || !w.IsRevoked(w.Outstanding.Peek()))
                    {
                        throw new CorruptFrameException(w.Outstanding.Count == 0 || w.Outstanding.Peek().Id != header.Id
                            ? $"a Skipped frame for task {header.Id}, which is not the next task it was sent"
                            : $"a Skipped frame for task {header.Id}, which the parent had not taken back");
                    }
                    return null;
                case FrameKind.Result or FrameKind.Error:
                    if (w.Outstanding.Count == 0 || w.Outstanding.Peek().Id != header.Id)
                    {
                        throw new CorruptFrameException(w.Outstanding.Count == 0
                            ? $"a {header.Kind} frame for task {header.Id} while it was running none"
                            : $"a {header.Kind} frame for task {header.Id} while it was running task {w.Outstanding.Peek().Id}");
                    }
                    if (w.IsRevoked(w.Outstanding.Peek()))
                    {
                        throw new CorruptFrameException($"a {header.Kind} frame for task {header.Id}, which the parent had taken back before it started");
                    }
                    // The call will not be sent again: free its frame before the answer's body takes memory.
                    w.Outstanding.Peek().Frame.Release();
                    return w.Outstanding.Peek();
                case FrameKind.InitializeFailed when _initializer is null:
                    throw new CorruptFrameException("an InitializeFailed frame, but the pool has no initializer");
                case FrameKind.InitializeFailed when w.Answered > 0:
                    throw new CorruptFrameException("an InitializeFailed frame after its initializer had run");
                case FrameKind.InitializeFailed:
                    return null;
                default:
                    throw new CorruptFrameException($"a frame of {Describe(header.Kind)} (id {header.Id}, {header.BodyLength:N0} body bytes), which workers do not send");
            }
        }
    }

    private static string Describe(FrameKind kind) => Enum.IsDefined(kind) ? $"kind {kind}" : $"unknown kind {(byte)kind}";

    /// <summary>Records what the worker sent and kills it; its death fails the task it was running with that account.</summary>
    private void Corrupt(WorkerProcess w, string what)
    {
        lock (_gate)
        {
            w.Corruption ??= what;
        }
        w.Kill();
    }

    private void OnReady(WorkerProcess w, FromWorker.Ready ready)
    {
        Debug.Assert(ready.ProcessId == w.Pid, "Admit checked the process id.");
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            w.Ready = true;
            _startFailures = 0;
            if (w.Outstanding.Count > 0)
            {
                StartedLocked(w.Outstanding.Peek());
            }
            DispatchLocked(ref flush);
            RetireIdleLocked(ref flush);
            AssertInvariants();
        }
        FlushAll(flush, mayBlock: false);
    }

    /// <summary>The worker reached a task the parent had taken back, and did not run it: drops its placeholder.</summary>
    private void OnSkipped(WorkerProcess w, in FrameHeader header)
    {
        if (header.BodyLength != 0)
        {
            throw new CorruptFrameException($"a Skipped frame with {header.BodyLength:N0} body bytes (it has none)");
        }
        List<WorkerProcess>? flush = null;
        lock (_gate)
        {
            WorkItem placeholder = w.Outstanding.Dequeue();
            Debug.Assert(placeholder.Id == header.Id, "Admit checked the task id.");
            w.Revoked.Remove(placeholder.Id);
            StartNextLocked(w);
            DispatchLocked(ref flush);
            RetireIdleLocked(ref flush);
            AssertInvariants();
        }
        FlushAll(flush, mayBlock: false);
    }

    /// <summary>The worker answered its head task: the next one it holds (if any, and not taken back) starts now.</summary>
    private void StartNextLocked(WorkerProcess w)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "The gate must be held.");
        if (w.Outstanding.Count > 0 && !w.IsRevoked(w.Outstanding.Peek()))
        {
            StartedLocked(w.Outstanding.Peek());
        }
    }

    /// <summary>Completes the running task with its Result frame and the arrays that came ahead of it.</summary>
    private void OnResult(WorkerProcess w, in FrameHeader header, ReadOnlySequence<byte> body, WorkItem answered) =>
        OnAnswer(w, header.Id, new FromWorker.Result(header.Id, answered.Accept(header, body), w.TakeResultArrays()), null);

    /// <summary>Completes the running task with a result (<paramref name="error"/> null) or an error.</summary>
    private void OnAnswer(WorkerProcess w, long id, FromWorker.Result result, RemoteException? error)
    {
        List<WorkerProcess>? flush = null;
        WorkItem item;
        lock (_gate)
        {
            // Admit checked the id against the head; only this thread takes answers off Outstanding.
            item = w.Outstanding.Dequeue();
            Debug.Assert(item.Id == id, "Admit checked the task id.");
            item.State = WorkState.Done;
            w.Answered++;
            StartNextLocked(w);
            DispatchLocked(ref flush);
            RetireIdleLocked(ref flush);
            AssertInvariants();
        }
        // Hand the worker its next frames before completing (the caller's continuation runs elsewhere anyway).
        FlushAll(flush, mayBlock: false);
        if (error is null)
        {
            item.Complete(result.Body, result.Arrays);
        }
        else
        {
            item.Fail(error);
        }
    }
}
