using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>
/// Process locks, events, semaphores, conditions and barriers opened by name (<c>OpenOrCreate</c>) by processes that
/// share nothing but the name (the child gets a string), and the name's lifetime: the last user to dispose removes
/// <c>/dev/shm/&lt;name&gt;</c>, and after every user was killed the name is found again and removed by the next one.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class NamedPrimitivesTests
{
    [Fact]
    public void NamedLock_TwoProcessesShareOnlyTheName_AndTheLastUserRemovesIt()
    {
        string name = NewName("lock");
        using (var gate = ProcessLock.OpenOrCreate(name))
        {
            Assert.True(File.Exists(PathOf(name)));
            using (gate.Acquire())
            {
                Assert.Equal(0, RunChild(TryTakeByName, name)); // held here: the child cannot take it
            }
            Assert.Equal(1, RunChild(TryTakeByName, name));
            Assert.True(File.Exists(PathOf(name))); // the child's exit left it: this process still uses it
        }
        Assert.False(File.Exists(PathOf(name)));
    }

    [Fact]
    public void NamedLock_HolderKilled_TheNextOpenerTakesItOver_AndTheNameIsRemovedAfter()
    {
        string name = NewName("killed");
        using var control = new ProcessQueue<int>();
        var child = ChildProcess.Create(HoldByName, (name, control));
        child.Start();
        try
        {
            Assert.Equal(1, control.Get(Bounded.Limit));
            child.Kill();
            Assert.True(child.Join(Bounded.Limit));
            Assert.True(File.Exists(PathOf(name))); // every user killed: the name stays until someone opens it again
            using (var gate = ProcessLock.OpenOrCreate(name))
            using (var held = gate.Acquire(Bounded.Limit))
            {
                Assert.True(held.PreviousOwnerDied);
            }
            Assert.False(File.Exists(PathOf(name)));
        }
        finally
        {
            if (child.IsAlive)
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }

    [Fact]
    public void NamedEventSemaphoreConditionBarrier_WorkBetweenProcessesThatShareOnlyTheNames()
    {
        string prefix = NewName("all");
        using var ready = ProcessEvent.OpenOrCreate(prefix + ".event");
        using var slots = ProcessSemaphore.OpenOrCreate(prefix + ".semaphore", initialCount: 0, maxCount: 2);
        using var turn = ProcessCondition.OpenOrCreate(prefix + ".condition");
        using var meet = ProcessBarrier.OpenOrCreate(prefix + ".barrier", 2);
        var child = ChildProcess.Create(UseAllByName, prefix);
        child.Start();
        Assert.True(ready.Wait(Bounded.Limit)); // the child set the event
        Assert.True(slots.TryAcquire(Bounded.Limit)); // and released a permit
        Bounded.Until(() => turn.WaitingCount == 1, "the child waits on the named condition");
        using (turn.Acquire(Bounded.Limit))
        {
            Assert.Equal(1, turn.Notify());
        }
        Assert.InRange(meet.SignalAndWait(Bounded.Limit), 0, 1);
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Throws<InvalidOperationException>(() => ProcessBarrier.OpenOrCreate(prefix + ".barrier", 3));
    }

    [Fact]
    public void ANameTakenByAnotherKind_OrNotAName_IsRefusedClearly()
    {
        string name = NewName("kind");
        using var gate = ProcessLock.OpenOrCreate(name);
        var error = Assert.Throws<InvalidDataException>(() => ProcessEvent.OpenOrCreate(name));
        Assert.Contains("is not a ProcessEvent", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ProcessLock.OpenOrCreate("no/slashes"));
        Assert.Throws<ArgumentException>(() => ProcessSemaphore.OpenOrCreate(""));
    }

    /// <summary>Opens the lock by name and tries it once: 1 if taken (and released), 0 if not.</summary>
    internal static int TryTakeByName(string name)
    {
        using var gate = ProcessLock.OpenOrCreate(name);
        if (!gate.TryAcquire())
        {
            return 0;
        }
        gate.Release();
        return 1;
    }

    internal static void HoldByName((string Name, ProcessQueue<int> Control) work)
    {
        var gate = ProcessLock.OpenOrCreate(work.Name);
        gate.Acquire(Bounded.Limit); // never released: the test kills this process holding it
        work.Control.Put(1);
        Thread.Sleep(Timeout.Infinite);
    }

    internal static void UseAllByName(string prefix)
    {
        using var ready = ProcessEvent.OpenOrCreate(prefix + ".event");
        using var slots = ProcessSemaphore.OpenOrCreate(prefix + ".semaphore", initialCount: 0, maxCount: 2);
        using var turn = ProcessCondition.OpenOrCreate(prefix + ".condition");
        using var meet = ProcessBarrier.OpenOrCreate(prefix + ".barrier", 2);
        ready.Set();
        slots.Release();
        using (turn.Acquire(Bounded.Limit))
        {
            if (!turn.Wait(Bounded.Limit))
            {
                throw new TimeoutException("the parent never notified");
            }
        }
        meet.SignalAndWait(Bounded.Limit);
    }

    private static int RunChild(Func<string, int> body, string name)
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        return Bounded.Result(pool.Submit(body, name));
    }

    private static string NewName(string what) => $"{TempFolderCheck.Prefix}{what}-{Guid.NewGuid():N}";

    private static string PathOf(string name) => TempFolderCheck.SharedMemoryFolder + "/" + name;
}
