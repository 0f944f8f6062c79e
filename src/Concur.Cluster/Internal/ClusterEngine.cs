using System.Diagnostics;
using Orleans.Runtime;

namespace Concur.Cluster.Internal;

/// <summary>
/// The executor's scheduler. Tasks wait in one queue in the caller's process and go to a node only when it has a free
/// worker for this executor, so a node lost mid-run takes only the tasks it was running with it (they fail naming the
/// node, or go back to the front of the queue when retries are on), and a node that joins gets work at once.
/// </summary>
/// <remarks>
/// A watcher loop, every <see cref="WatchPeriod"/>: asks the cluster for its active silos (joining new ones, dropping
/// those Orleans declared dead) and pings every node; a node that has not answered for the loss timeout is lost.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The watcher's token source is disposed when the engine finishes (FinishAsync), its only end.")]
internal sealed class ClusterEngine
{
    /// <summary>How often the watcher looks at the cluster.</summary>
    public static readonly TimeSpan WatchPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one ping is waited for; a node gets a fresh one each period after that.</summary>
    private static readonly TimeSpan s_pingWait = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly LinkedList<ClusterWorkItem> _queue = new();
    private readonly Dictionary<string, NodeSlot> _nodes = [];
    private readonly HashSet<string> _joining = [];
    private readonly int? _maxWorkers;
    private readonly SessionSpec _spec;
    private readonly ClusterExecutorOptions _options;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopWatching = new();
    private readonly Task<ClusterConnection> _connecting;
    private ClusterConnection? _connection;
    private int _running;
    private int _knownWorkers;
    private bool _shutdown;
    private bool _finishing;
    private BrokenExecutorException? _broken;

    public ClusterEngine(int? maxWorkers, SessionSpec spec, ClusterExecutorOptions options, Func<Task<ClusterConnection>> connect)
    {
        _maxWorkers = maxWorkers;
        _spec = spec;
        _options = options;
        _connecting = Task.Run(connect);
        _ = Task.Run(RunAsync);
    }

    /// <summary>Gets the most tasks running at once: the configured count, or else the workers the nodes known now give (at least 1).</summary>
    public int MaxWorkers => _maxWorkers ?? Math.Max(1, Volatile.Read(ref _knownWorkers));

    /// <summary>Gets a value indicating whether <see cref="Shutdown"/> was called.</summary>
    public bool IsShutdown
    {
        get
        {
            lock (_gate)
            {
                return _shutdown;
            }
        }
    }

    /// <summary>Gets a value indicating whether the executor is broken (a node's pool initializer threw, or the cluster cannot be reached).</summary>
    public bool IsBroken
    {
        get
        {
            lock (_gate)
            {
                return _broken is not null;
            }
        }
    }

    /// <summary>Gets the names of the nodes in use now.</summary>
    public IReadOnlyList<string> NodeNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes.Values.Select(n => n.Name)];
            }
        }
    }

    /// <summary>Gets the connection once made, or <see langword="null"/>.</summary>
    public ClusterConnection? Connection => _connection;

    /// <summary>Gets a task that completes when the executor has shut down and its nodes (if it started them) have exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Throws if the executor is shut down.</summary>
    /// <exception cref="InvalidOperationException">It is.</exception>
    public void ThrowIfClosed()
    {
        if (IsShutdown)
        {
            throw new InvalidOperationException("The ClusterExecutor has been shut down; it accepts no new work.");
        }
    }

    /// <summary>Queues a task (it faults at once on a broken executor).</summary>
    /// <exception cref="InvalidOperationException">The executor is shut down.</exception>
    public void Enqueue(ClusterWorkItem item)
    {
        List<(ClusterWorkItem, NodeSlot, int)>? start = null;
        lock (_gate)
        {
            if (_shutdown)
            {
                throw new InvalidOperationException("The ClusterExecutor has been shut down; it accepts no new work.");
            }
            if (_broken is not null)
            {
                item.State = ClusterWorkState.Done;
                item.Fail(_broken);
                return;
            }
            item.State = ClusterWorkState.Queued;
            _queue.AddLast(item);
            DispatchLocked(ref start);
        }
        Start(start);
        if (item.CancellationToken.CanBeCanceled)
        {
            item.Registration = item.CancellationToken.UnsafeRegister(static s =>
            {
                var (engine, i) = ((ClusterEngine, ClusterWorkItem))s!;
                engine.OnCancel(i);
            }, (this, item));
            if (item.Task.IsCompleted)
            {
                item.Registration.Dispose();
            }
        }
    }

    /// <summary>Stops accepting work; optionally cancels queued work; finishes once nothing runs.</summary>
    public void Shutdown(bool cancelPending)
    {
        List<ClusterWorkItem>? cancelled = null;
        lock (_gate)
        {
            _shutdown = true;
            if (cancelPending)
            {
                cancelled = [.. _queue];
                _queue.Clear();
                foreach (ClusterWorkItem item in cancelled)
                {
                    item.State = ClusterWorkState.Done;
                }
            }
        }
        foreach (ClusterWorkItem item in cancelled ?? [])
        {
            item.Cancel();
        }
        CheckFinished();
    }

    private void OnCancel(ClusterWorkItem item)
    {
        NodeSlot? node = null;
        lock (_gate)
        {
            if (item.State == ClusterWorkState.Queued)
            {
                _queue.Remove(item);
                item.State = ClusterWorkState.Done;
            }
            else if (item.State == ClusterWorkState.Running && !item.Chunk)
            {
                node = item.Node;
            }
            else
            {
                return;
            }
        }
        if (node is null)
        {
            item.Cancel();
            CheckFinished();
            return;
        }
        // Running: the node kills the worker running it and answers Cancelled.
        _ = CancelOnNode(node, item.Id);
    }

    private async Task CancelOnNode(NodeSlot node, long id)
    {
        try
        {
            await node.Grain.Cancel(_spec.Session, id).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or ObjectDisposedException)
        {
            // A node that cannot be reached is being watched: its loss fails the task.
        }
    }

    private void DispatchLocked(ref List<(ClusterWorkItem, NodeSlot, int)>? start)
    {
        while (_queue.Count > 0 && (_maxWorkers is null || _running < _maxWorkers))
        {
            NodeSlot? best = null;
            int bestFree = 0;
            foreach (NodeSlot node in _nodes.Values)
            {
                int free = node.Workers - node.Running.Count;
                if (!node.Lost && free > bestFree)
                {
                    best = node;
                    bestFree = free;
                }
            }
            if (best is null)
            {
                return;
            }
            ClusterWorkItem item = _queue.First!.Value;
            _queue.RemoveFirst();
            item.State = ClusterWorkState.Running;
            item.Node = best;
            item.Attempt++;
            best.Running.Add(item);
            _running++;
            (start ??= []).Add((item, best, item.Attempt));
        }
    }

    private void Start(List<(ClusterWorkItem Item, NodeSlot Node, int Attempt)>? start)
    {
        foreach (var (item, node, attempt) in start ?? [])
        {
            _ = RunOnNode(item, node, attempt);
        }
    }

    private async Task RunOnNode(ClusterWorkItem item, NodeSlot node, int attempt)
    {
        WorkAnswer? answer = null;
        Exception? failure = null;
        try
        {
            answer = await node.Grain.Run(item.Request(_spec.Session)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (failure is not null)
        {
            // The call itself failed (the node or the way to it is gone, or the client was closed): the node is taken
            // as lost, so this task and the node's others fail naming it (or move, with retries on), and no further
            // task is sent there until the watcher sees it answer again and rejoins it.
            bool current;
            lock (_gate)
            {
                current = item.State == ClusterWorkState.Running && item.Attempt == attempt && item.Node == node;
            }
            if (current)
            {
                Lose(node, $"a call to it failed: {failure.GetType().Name}: {failure.Message}");
            }
            CheckFinished();
            return;
        }
        List<(ClusterWorkItem, NodeSlot, int)>? start = null;
        lock (_gate)
        {
            if (item.State != ClusterWorkState.Running || item.Attempt != attempt || item.Node != node)
            {
                return; // Already failed or moved when its node was lost.
            }
            node.Running.Remove(item);
            _running--;
            item.State = ClusterWorkState.Done;
            DispatchLocked(ref start);
        }
        Start(start);
        if (item.Complete(answer!) is BrokenExecutorException broken)
        {
            Break(broken);
        }
        CheckFinished();
    }

    // Set once the cluster connection is gone for good: nothing can be retried any more.
    private bool _shutdownFailed;

    private void Break(BrokenExecutorException broken)
    {
        List<ClusterWorkItem> failed;
        lock (_gate)
        {
            _broken ??= broken;
            failed = [.. _queue];
            _queue.Clear();
            foreach (ClusterWorkItem item in failed)
            {
                item.State = ClusterWorkState.Done;
            }
        }
        foreach (ClusterWorkItem item in failed)
        {
            item.Fail(broken);
        }
        CheckFinished();
    }

    /// <summary>Takes a node as lost: its running tasks fail naming it, or go back to the queue's front when retries are on.</summary>
    private void Lose(NodeSlot node, string why)
    {
        List<ClusterWorkItem> failed = [];
        List<(ClusterWorkItem, NodeSlot, int)>? start = null;
        lock (_gate)
        {
            if (node.Lost)
            {
                return;
            }
            node.Lost = true;
            _nodes.Remove(node.Key);
            _knownWorkers -= node.Workers;
            foreach (ClusterWorkItem item in node.Running)
            {
                _running--;
                if (_options.RetryOnNodeLoss && !_shutdownFailed)
                {
                    item.State = ClusterWorkState.Queued;
                    _queue.AddFirst(item);
                }
                else
                {
                    item.State = ClusterWorkState.Done;
                    failed.Add(item);
                }
            }
            node.Running.Clear();
            DispatchLocked(ref start);
        }
        Start(start);
        foreach (ClusterWorkItem item in failed)
        {
            item.Fail(new NodeLostException(node.Name, item.Description, why));
        }
        CheckFinished();
    }

    private async Task RunAsync()
    {
        try
        {
            _connection = await _connecting.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _shutdownFailed = true;
            }
            Break(new BrokenExecutorException($"The ClusterExecutor could not reach its cluster: {e.GetType().Name}: {e.Message}", e));
            lock (_gate)
            {
                _shutdown = true;
            }
            CheckFinished();
            return;
        }
        IManagementGrain management = _connection.Client.GetGrain<IManagementGrain>(0);
        CancellationToken stop = _stopWatching.Token;
        while (!stop.IsCancellationRequested)
        {
            await WatchOnce(management).ConfigureAwait(false);
            try
            {
                await Task.Delay(WatchPeriod, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task WatchOnce(IManagementGrain management)
    {
        NodeSlot[] known;
        lock (_gate)
        {
            known = [.. _nodes.Values];
        }
        // Pings first and without waiting for them: one lost in flight (sent through a gateway that just died) must
        // not hold up the next, so a live node gets a fresh ping every period.
        foreach (NodeSlot node in known)
        {
            if (Stopwatch.GetElapsedTime(node.LastSign) >= _options.NodeLossTimeout)
            {
                Lose(node, $"it did not answer for {_options.NodeLossTimeout.TotalSeconds:0.#} s");
            }
            else
            {
                _ = Probe(node);
                if (node.TryStartPing())
                {
                    _ = Ping(node);
                }
            }
        }
        Dictionary<SiloAddress, SiloStatus>? hosts = null;
        try
        {
            hosts = await management.GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or ObjectDisposedException)
        {
            // The gateway may be the node that died; the pings still tell.
        }
        if (hosts is not null)
        {
            var active = hosts.Where(h => h.Value == SiloStatus.Active).Select(h => h.Key.ToParsableString()).ToHashSet();
            foreach (NodeSlot node in known.Where(n => !active.Contains(n.Key)))
            {
                Lose(node, "the cluster declared it dead");
            }
            foreach (string key in active)
            {
                bool join;
                lock (_gate)
                {
                    join = !_nodes.ContainsKey(key) && _joining.Add(key) && !_finishing;
                }
                if (join)
                {
                    _ = Join(key);
                }
            }
        }
    }

    private async Task Join(string key)
    {
        try
        {
            INodeGrain grain = _connection!.Client.GetGrain<INodeGrain>(key);
            NodeInfo info = await grain.Join(_spec).WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            var node = new NodeSlot(key, grain, info);
            List<(ClusterWorkItem, NodeSlot, int)>? start = null;
            lock (_gate)
            {
                if (!_finishing)
                {
                    _nodes[key] = node;
                    _knownWorkers += node.Workers;
                    DispatchLocked(ref start);
                }
            }
            Start(start);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or ObjectDisposedException)
        {
            // Not reachable now: the next look at the cluster tries again.
        }
        finally
        {
            lock (_gate)
            {
                _joining.Remove(key);
            }
        }
    }

    private async Task Ping(NodeSlot node)
    {
        try
        {
            bool open = await node.Grain.Ping(_spec.Session).WaitAsync(s_pingWait).ConfigureAwait(false);
            if (open)
            {
                node.LastAnswer = Stopwatch.GetTimestamp();
            }
            else
            {
                Lose(node, "it no longer knows this executor (it restarted, or closed the session)");
            }
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or ObjectDisposedException)
        {
            // Unanswered: the watcher counts the time since the last answer.
        }
        finally
        {
            node.EndPing();
        }
    }

    /// <summary>
    /// Connects to the node's silo port: refused (where it was accepted before) means its process is gone (lost at once, whatever Orleans' failure
    /// detector has yet to conclude); accepted means the machine and process are there even when a ping is lost on
    /// its way (a ping can travel through a gateway that just died).
    /// </summary>
    private async Task Probe(NodeSlot node)
    {
        try
        {
            using var socket = new System.Net.Sockets.Socket(node.Endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(node.Endpoint).WaitAsync(s_pingWait).ConfigureAwait(false);
            node.LastReachable = Stopwatch.GetTimestamp();
            node.Probed = true;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused && node.Probed)
        {
            // Refused where it was once accepted (a transport that is not TCP, as Orleans' in-memory test transport,
            // never is: there only the pings and Orleans' own detector count).
            Lose(node, $"its process is gone: a connection to {node.Endpoint} was refused");
        }
        catch (Exception e) when (e is TimeoutException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Unreachable now: the watcher counts the time since the last sign of life.
        }
    }

    private void CheckFinished()
    {
        NodeSlot[] nodes;
        lock (_gate)
        {
            if (!_shutdown || _finishing || _queue.Count > 0 || _running > 0)
            {
                return;
            }
            _finishing = true;
            nodes = [.. _nodes.Values];
        }
        _ = FinishAsync(nodes);
    }

    private async Task FinishAsync(NodeSlot[] nodes)
    {
        try
        {
            await _stopWatching.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(nodes.Select(async n =>
            {
                try
                {
                    await n.Grain.Leave(_spec.Session).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or ObjectDisposedException)
                {
                    // Its lease runs out instead.
                }
            })).ConfigureAwait(false);
            ClusterConnection? connection = null;
            try
            {
                connection = await _connecting.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Never connected: nothing to close.
            }
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _stopWatching.Dispose();
            _exited.TrySetResult();
        }
    }
}
