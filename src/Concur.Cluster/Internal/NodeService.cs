using System.Collections.Concurrent;
using System.Diagnostics;
using Concur.Processes.Internal;

namespace Concur.Cluster.Internal;

/// <summary>
/// A node's work: one local process pool per executor session (each with that executor's initializer and
/// tasks-per-child limit), the calls running in them, and the sessions' leases (a session not pinged for
/// <see cref="LeaseTimeout"/> is closed, so an executor that died leaves no workers behind).
/// </summary>
internal sealed class NodeService : IDisposable
{
    /// <summary>How long a session lives without a ping from its executor.</summary>
    public static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<Guid, Session> _sessions = new();
    private readonly Timer _reaper;

    /// <summary>Creates the node's service.</summary>
    /// <param name="workers">The most worker processes one session gets on this node.</param>
    /// <param name="name">The node's name in messages.</param>
    public NodeService(int workers, string name)
    {
        Workers = workers;
        Name = name;
        _reaper = new Timer(_ => Reap(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    /// <summary>Gets the most worker processes one session gets on this node.</summary>
    public int Workers { get; }

    /// <summary>Gets the node's name.</summary>
    public string Name { get; }

    /// <summary>Opens a session, or finds the open one.</summary>
    public NodeInfo Join(SessionSpec spec)
    {
        Session session = _sessions.GetOrAdd(spec.Session, static (_, arg) => new Session(arg.Spec, arg.Workers), (Spec: spec, Workers));
        session.Touch();
        return new NodeInfo { Name = Name, Workers = session.Workers, ProcessId = Environment.ProcessId };
    }

    /// <summary>Runs a call in its session's pool.</summary>
    public async Task<WorkAnswer> Run(WorkRequest request)
    {
        if (!_sessions.TryGetValue(request.Session, out Session? session))
        {
            return new WorkAnswer { Outcome = WorkOutcome.Refused, Message = $"node {Name} has no open session {request.Session} (it was closed or the node restarted)" };
        }
        session.Touch();
        using var cancel = new CancellationTokenSource();
        session.Running[request.TaskId] = cancel;
        try
        {
            TimeSpan? timeout = request.TimeoutTicks > 0 ? TimeSpan.FromTicks(request.TimeoutTicks) : null;
            SerializedAnswer answer = await session.Pool.Value.Run(request.Definition, request.Payload, request.Chunk, timeout, cancel.Token).ConfigureAwait(false);
            var types = new byte[answer.Arrays.Count];
            var arrays = new byte[answer.Arrays.Count][];
            for (int i = 0; i < arrays.Length; i++)
            {
                (types[i], arrays[i]) = SerializedCalls.ArrayBytes(answer.Arrays[i]);
            }
            return new WorkAnswer { Outcome = WorkOutcome.Result, Body = answer.Body, ArrayTypes = types, Arrays = arrays };
        }
        catch (OperationCanceledException)
        {
            return new WorkAnswer { Outcome = WorkOutcome.Cancelled, Message = "cancelled" };
        }
        catch (RemoteException e)
        {
            return new WorkAnswer { Outcome = WorkOutcome.Error, Body = SerializedCalls.WriteError(e) };
        }
        catch (TimeoutException e)
        {
            return new WorkAnswer { Outcome = WorkOutcome.Timeout, Message = $"{e.Message} (on node {Name})" };
        }
        catch (WorkerCrashedException e)
        {
            return new WorkAnswer { Outcome = WorkOutcome.Crashed, Message = $"{e.Message} (on node {Name})" };
        }
        catch (BrokenExecutorException e)
        {
            return new WorkAnswer
            {
                Outcome = WorkOutcome.Broken,
                Message = $"{e.Message} (on node {Name})",
                Body = e.InnerException is null ? [] : SerializedCalls.WriteError(e.InnerException),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return new WorkAnswer { Outcome = WorkOutcome.Refused, Message = $"node {Name}: {e.Message}" };
        }
        finally
        {
            session.Running.TryRemove(request.TaskId, out _);
        }
    }

    /// <summary>Cancels a call of a session.</summary>
    public void Cancel(Guid session, long taskId)
    {
        if (_sessions.TryGetValue(session, out Session? s) && s.Running.TryGetValue(taskId, out CancellationTokenSource? cancel))
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call ended meanwhile.
            }
        }
    }

    /// <summary>Keeps a session open; answers whether it is.</summary>
    public bool Ping(Guid session)
    {
        if (_sessions.TryGetValue(session, out Session? s))
        {
            s.Touch();
            return true;
        }
        return false;
    }

    /// <summary>Closes a session: its pool finishes what it runs and its workers exit.</summary>
    public void Leave(Guid session)
    {
        if (_sessions.TryRemove(session, out Session? s))
        {
            s.Close(kill: false);
        }
    }

    /// <summary>Kills every session's workers (the node is stopping).</summary>
    public void Dispose()
    {
        _reaper.Dispose();
        foreach (Guid id in _sessions.Keys)
        {
            if (_sessions.TryRemove(id, out Session? s))
            {
                s.Close(kill: true);
            }
        }
    }

    private void Reap()
    {
        long now = Stopwatch.GetTimestamp();
        foreach ((Guid id, Session session) in _sessions)
        {
            if (Stopwatch.GetElapsedTime(session.LastSeen, now) > LeaseTimeout && _sessions.TryRemove(id, out _))
            {
                session.Close(kill: true);
            }
        }
    }

    private sealed class Session
    {
        private long _lastSeen = Stopwatch.GetTimestamp();

        public Session(SessionSpec spec, int nodeWorkers)
        {
            Workers = Math.Max(1, Math.Min(spec.MaxWorkers, nodeWorkers));
            // Started on first use: a node that only answers pings costs no processes.
            Pool = new Lazy<SerializedCallPool>(
                () => new SerializedCallPool(Workers, spec.InitializerDefinition, spec.InitializerPayload, spec.MaxTasksPerChild),
                LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public int Workers { get; }

        public Lazy<SerializedCallPool> Pool { get; }

        public ConcurrentDictionary<long, CancellationTokenSource> Running { get; } = new();

        public long LastSeen => Volatile.Read(ref _lastSeen);

        public void Touch() => Volatile.Write(ref _lastSeen, Stopwatch.GetTimestamp());

        public void Close(bool kill)
        {
            if (!Pool.IsValueCreated)
            {
                return;
            }
            if (kill)
            {
                Pool.Value.Kill();
            }
            else
            {
                Pool.Value.Shutdown(cancelPending: false);
            }
        }
    }
}
