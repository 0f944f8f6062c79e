using Concur.Tests.Support;
using ConcurFutures = Concur.Futures;

namespace Concur.Tests;

/// <summary>
/// The README's "From Python to Concur" table: every Concur name it gives exists with the shape and meaning it
/// claims. Each row's behaviour is tested in depth in its own area; this file fails to compile (or fails) when the
/// table and the library drift apart. The process rows are checked by name only here (no process is started); their
/// behaviour is tested in Processes/.
/// </summary>
public sealed class ReadmeTableTests
{
    [Fact]
    public void Table_LocksAndCondition_HaveTheNamedMembers()
    {
        var exclusive = new ExclusiveLock("readme");
        using (LockScope scope = exclusive.Acquire())
        {
            Assert.True(scope.IsAcquired);
            Assert.True(exclusive.IsHeld); // lock.locked()
            Assert.Throws<DeadlockException>(() => exclusive.Acquire(TimeSpan.FromSeconds(5)));
        }
        Assert.True(exclusive.TryAcquire(TimeSpan.Zero));
        exclusive.Release();
        using (exclusive.Acquire(Bounded.Limit))
        {
            var other = new Thread(() => Assert.Throws<TimeoutException>(() => exclusive.Acquire(TimeSpan.Zero)));
            other.Start();
            Bounded.Join(other);
        }

        var reentrant = new ReentrantLock();
        using (reentrant.Acquire())
        using (reentrant.Acquire())
        {
            Assert.True(reentrant.IsHeldByCurrentThread);
        }
        Assert.False(reentrant.IsHeld);

        var condition = new Condition(new ExclusiveLock());
        using (condition.Acquire())
        {
            Assert.False(condition.Wait(TimeSpan.Zero));
            Assert.True(condition.WaitFor(() => true, TimeSpan.Zero));
            condition.Notify(2);
            condition.NotifyAll();
        }
    }

    [Fact]
    public void Table_ProcessLocksConditionBarrier_HaveTheNamedMembers()
    {
        using var rlock = new ProcessReentrantLock();
        using (rlock.Acquire())
        using (rlock.Acquire(Bounded.Limit))
        {
            Assert.Equal(2, rlock.RecursionCount);
        }
        using var condition = new ProcessCondition(rlock);
        using (ProcessLockScope scope = condition.Acquire())
        {
            Assert.False(condition.Wait(TimeSpan.Zero));
            Assert.True(condition.WaitFor(() => true, TimeSpan.Zero));
            Assert.Equal(0, condition.Notify(2));
            Assert.Equal(0, condition.NotifyAll());
        }
        using var barrier = new ProcessBarrier(1);
        Assert.Equal(0, barrier.SignalAndWait(Bounded.Limit));
        barrier.Abort();
        Assert.Throws<BrokenBarrierException>(() => barrier.SignalAndWait(TimeSpan.Zero));
        barrier.Reset();
        Assert.False(barrier.IsBroken);
        string name = $"concur-{Environment.ProcessId}-readme-{Guid.NewGuid():N}";
        using (ProcessLock.OpenOrCreate(name))
        {
            Assert.True(File.Exists("/dev/shm/" + name));
        }
        Assert.False(File.Exists("/dev/shm/" + name));
    }

    [Fact]
    public async Task Table_SemaphoresEventBarrierTimer_HaveTheNamedMembers()
    {
        var counting = new CountingSemaphore(1);
        counting.Release(); // no bound, as threading.Semaphore
        Assert.Equal(2, counting.CurrentCount);

        var bounded = new BoundedSemaphore(1);
        Assert.Throws<SemaphoreFullException>(() => bounded.Release());

        var ev = new ThreadEvent();
        Assert.False(ev.Wait(TimeSpan.Zero));
        ev.Set();
        Assert.True(ev.IsSet);
        Assert.True(await ev.WaitAsync(TimeSpan.Zero));
        ev.Clear();

        var barrier = new ThreadBarrier(2);
        barrier.Abort();
        Assert.Throws<BrokenBarrierException>(() => barrier.Wait(TimeSpan.Zero));
        barrier.Reset();
        Assert.False(barrier.IsBroken);

        var ran = new ThreadEvent();
        var timer = new ThreadTimer(TimeSpan.Zero, ran.Set, TimeProvider.System);
        timer.Start();
        Assert.True(ran.Wait(Bounded.Limit));
        Assert.True(timer.Join(Bounded.Limit));
        new ThreadTimer(TimeSpan.FromHours(1), () => { }).Cancel();
    }

    [Fact]
    public void Table_Queues_HaveTheNamedMembersAndExceptions()
    {
        BlockingQueue<int>[] queues = [new FifoQueue<int>(1), new LifoQueue<int>(1), new PriorityOrderQueue<int>(1)];
        foreach (var q in queues)
        {
            q.Put(1);
            Assert.False(q.TryPut(2));
            Assert.Throws<QueueFullException>(() => q.Put(2, TimeSpan.Zero));
            Assert.True(q.TryGet(out var item));
            Assert.Equal(1, item);
            Assert.Throws<QueueEmptyException>(() => q.Get(TimeSpan.Zero));
            q.TaskDone();
            q.Join();
            q.Shutdown(immediate: true);
            Assert.Throws<QueueShutDownException>(() => q.Put(3));
        }

        var resized = new FifoQueue<int>(1);
        resized.MaxSize = 2; // q.maxsize = 2
        Assert.True(resized.TryPut(1) && resized.TryPut(2));
        Assert.Equal("FifoQueue<Int32> (2 items, max size 2, 2 unfinished tasks)", resized.ToString()); // repr(q)

        var byPriority = new PriorityOrderQueue<int>();
        foreach (var x in new[] { 3, 1, 2 })
        {
            byPriority.Put(x);
        }
        Assert.Equal([1, 2, 3], new[] { byPriority.Get(), byPriority.Get(), byPriority.Get() }); // lowest first
    }

    [Fact]
    public async Task Table_ExecutorsAndFutures_HaveTheNamedMembers()
    {
        await using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        Assert.IsAssignableFrom<IExecutor>(pool); // concurrent.futures.Executor -> IExecutor
        Task<int> future = pool.Submit(x => x + 1, 1); // Future -> Task<T>; submit(f, x) -> Submit(f, x)
        Assert.Equal(2, await Bounded.Within(future));
        Task<int> awaited = pool.Submit(async () => { await Task.Delay(1); return 42; }); // an async f is awaited on the worker
        Assert.Equal(42, await Bounded.Within(awaited));
        Assert.Equal([0, 2, 4], pool.Map(x => 2 * x, [0, 1, 2], timeout: Bounded.Limit, bufferSize: 2));

        Assert.Same(future, Assert.Single(ConcurFutures.AsCompleted([future], Bounded.Limit)));
        await foreach (var done in ConcurFutures.AsCompletedAsync([future], Bounded.Limit))
        {
            Assert.Same(future, done);
        }
        var (finished, notFinished) = ConcurFutures.Wait([future], Bounded.Limit, ReturnWhen.FirstCompleted);
        Assert.Same(future, Assert.Single(finished));
        Assert.Empty(notFinished);
        Assert.Empty(ConcurFutures.Wait([future], Bounded.Limit, ReturnWhen.FirstException).NotDone);
        Assert.Same(future, Assert.Single(ConcurFutures.Wait([future], Bounded.Limit, ReturnWhen.AllCompleted).Done));

        var broken = new ThreadPoolExecutor(maxWorkers: 1, initializer: () => throw new InvalidOperationException("init"));
        await Assert.ThrowsAsync<BrokenExecutorException>(() => Bounded.Within(broken.Submit(() => 1)));
        broken.Dispose();
    }

    [Fact]
    public void Table_ProcessRows_NameExistingMembers()
    {
        Assert.True(typeof(IExecutor).IsAssignableFrom(typeof(ProcessPoolExecutor)));
        string[] childProcess =
        [
            nameof(ChildProcess.Start), nameof(ChildProcess.Join), nameof(ChildProcess.Terminate), nameof(ChildProcess.Kill),
            nameof(ChildProcess.ExitCode), nameof(ChildProcess.Daemon), nameof(ChildProcess.CurrentProcessName),
            nameof(ChildProcess.CurrentProcessId),
        ];
        string[] processPool =
        [
            nameof(ProcessPool.Apply), nameof(ProcessPool.ApplyAsync), nameof(ProcessPool.Map), nameof(ProcessPool.Imap),
            nameof(ProcessPool.ImapUnordered), nameof(ProcessPool.Starmap), nameof(ProcessPool.Close),
            nameof(ProcessPool.Join), nameof(ProcessPool.Terminate),
        ];
        Assert.All(childProcess, name => Assert.NotEmpty(typeof(ChildProcess).GetMember(name)));
        Assert.All(processPool, name => Assert.NotEmpty(typeof(ProcessPool).GetMember(name)));
        Assert.NotEmpty(typeof(ConcurWorker).GetMember(nameof(ConcurWorker.TryRunWorker)));
        Assert.True(typeof(Exception).IsAssignableFrom(typeof(RemoteException)));
        Assert.True(typeof(Exception).IsAssignableFrom(typeof(WorkerCrashedException)));
        Assert.NotEmpty(typeof(ProcessTypeAllowlist).GetMember("Allow"));
    }

    [Fact]
    public async Task Table_ConnectionRows_HaveTheNamedMembers()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false); // Pipe(False)
        Assert.True(reader.CanReceive && !reader.CanSend && writer.CanSend && !writer.CanReceive);
        writer.Send(1);
        writer.SendBytes([2]);
        await writer.SendBytesAsync(new byte[] { 3, 4 });
        Assert.True(reader.Poll(Bounded.Limit));
        Assert.True(await reader.PollAsync(Bounded.Limit));
        Assert.Equal(1, reader.Receive<int>());
        Assert.Equal([2], reader.ReceiveBytes());
        Assert.Equal(2, reader.ReceiveBytes(new byte[2]));
        writer.Close();
        Assert.True(writer.IsClosed);
        Assert.Throws<EndOfStreamException>(() => reader.Receive<int>()); // EOFError
        reader.Dispose();
        var (first, second) = Connection.CreatePipe(); // Pipe()
        Assert.Equal(Connection.DefaultMaxMessageSize, first.MaxMessageSize);
        first.Dispose();
        second.Dispose();

        byte[] key = [1, 2, 3];
        using var listener = new ConnectionListener(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), key);
        Task<Connection> accepted = listener.AcceptAsync().AsTask();
        using Connection client = Connection.Connect(listener.Address, key);
        using Connection server = await Bounded.Within(accepted);
        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(async () =>
        {
            Task<Connection> refused = listener.AcceptAsync().AsTask();
            try
            {
                using Connection wrong = await Connection.ConnectAsync(listener.Address, [9]);
            }
            finally
            {
                await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => Bounded.Within(refused));
            }
        });
        Assert.NotEmpty(typeof(ConnectionListener).GetMember(nameof(ConnectionListener.Accept)));
    }

    [Fact]
    public void Table_DeadlockNames_Exist()
    {
        Assert.True(typeof(Exception).IsAssignableFrom(typeof(DeadlockException)));
        _ = DeadlockDetection.Enabled;
        Assert.NotNull(LockDiagnostics.Describe());
    }
}
