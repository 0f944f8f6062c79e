using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Locks;

/// <summary>
/// A <see cref="ProcessLock"/> between real processes: passed to children (captured, as the argument, as a field of a
/// subclass) and to pool tasks, it is the same lock there, and it excludes across processes.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessLockAcrossProcessesTests
{
    [Fact]
    public void Lock_CapturedByAChild_IsHeldThere_AndFreedForThisProcess()
    {
        using var gate = new ProcessLock();
        using var control = new ProcessQueue<int>();
        using var release = new ProcessEvent();
        var child = new ChildProcess(() =>
        {
            var held = gate.Acquire(Bounded.Limit);
            control.Put(1);
            release.Wait(Bounded.Limit); // released when the test says so
            held.Dispose();
        });
        child.Start();
        try
        {
            Assert.Equal(1, control.Get(Bounded.Limit));
            Assert.Equal(child.Pid, gate.OwnerProcessId);
            Assert.False(gate.TryAcquire());
            Assert.Contains("held by process", gate.ToString(), StringComparison.Ordinal);
            release.Set();
            using var held = gate.Acquire(Bounded.Limit);
            Assert.False(held.PreviousOwnerDied);
            Assert.True(child.Join(Bounded.Limit));
            Assert.Equal(0, child.ExitCode);
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public void TwoChildrenAndThisProcess_UpdateAFileUnderTheLock_NoUpdateIsLost()
    {
        const int Rounds = 150;
        string path = Path.Combine(Path.GetTempPath(), $"concur-lock-test-{Guid.NewGuid():N}");
        File.WriteAllText(path, "0");
        try
        {
            using var gate = new ProcessLock();
            var children = new[] { ChildProcess.Create(Increment, (gate, path, Rounds)), new Incrementer(gate, path, Rounds) };
            foreach (var child in children)
            {
                child.Start();
            }
            Increment((gate, path, Rounds));
            foreach (var child in children)
            {
                Assert.True(child.Join(Bounded.Limit));
                Assert.Equal(0, child.ExitCode);
            }
            Assert.Equal(3 * Rounds, int.Parse(File.ReadAllText(path), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Lock_GivenToPoolTasks_IsTheSameLock()
    {
        using var gate = new ProcessLock();
        await using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using (gate.Acquire())
        {
            Assert.False(await Bounded.Within(pool.Submit(TryTake, gate)));
        }
        Assert.True(await Bounded.Within(pool.Submit(() =>
        {
            using var held = gate.Acquire(Bounded.Limit);
            return gate.OwnerProcessId == ChildProcess.CurrentProcessId;
        })));
        Assert.False(gate.IsHeld);
    }

    internal static bool TryTake(ProcessLock gate)
    {
        if (!gate.TryAcquire())
        {
            return false;
        }
        gate.Release();
        return true;
    }

    internal static void Increment((ProcessLock Gate, string Path, int Rounds) work)
    {
        for (int i = 0; i < work.Rounds; i++)
        {
            using var held = work.Gate.Acquire(Bounded.Limit);
            int value = int.Parse(File.ReadAllText(work.Path), System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(work.Path, (value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void End(ChildProcess child)
    {
        if (child.IsAlive)
        {
            child.Kill();
            child.Join(Bounded.Limit);
        }
    }

    /// <summary>A child that holds the lock as a field.</summary>
    internal sealed class Incrementer(ProcessLock gate, string path, int rounds) : ChildProcess
    {
        private readonly ProcessLock _gate = gate;
        private readonly string _path = path;
        private readonly int _rounds = rounds;

        protected override void Run() => Increment((_gate, _path, _rounds));
    }
}
