namespace Concur.Tests.Support;

/// <summary>
/// Holds an owned lock on another thread until disposed: for tests of what a second thread sees while a lock is
/// taken. <see cref="Start"/> returns once the lock is held; <see cref="Dispose"/> releases it and joins the thread.
/// </summary>
internal sealed class LockHolder : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly Thread _thread;
    private bool _disposed;

    private LockHolder(OwnedLock target)
    {
        using var held = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            using (target.Acquire())
            {
                held.Set();
                _release.Wait(Bounded.Limit);
            }
        })
        { Name = "lock holder", IsBackground = true };
        _thread.Start();
        if (!held.Wait(Bounded.Limit))
        {
            throw new TimeoutException($"The holder thread did not acquire '{target.Name}' within {Bounded.Limit.TotalSeconds} s.");
        }
    }

    /// <summary>Acquires <paramref name="target"/> on a new thread and returns once it is held.</summary>
    public static LockHolder Start(OwnedLock target) => new(target);

    /// <summary>Releases the lock and joins the holder thread. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _release.Set();
        Bounded.Join(_thread);
        _release.Dispose();
    }
}
