using Concur.Tests.Support;
using Concur.Threading.Internal;

namespace Concur.Tests.Threading.Deadlocks;

/// <summary>Named background threads that record what they threw, and a way to see that one is parked in a lock wait.</summary>
internal sealed class DeadlockTestThreads
{
    private readonly List<(Thread Thread, Func<Exception?> Error)> _threads = [];

    /// <summary>Starts a background thread named <paramref name="name"/>; its exception is kept for <see cref="JoinAll"/>.</summary>
    public Thread Start(string name, Action body)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            Name = name,
            IsBackground = true,
        };
        _threads.Add((thread, () => error));
        thread.Start();
        return thread;
    }

    /// <summary>Joins every thread (bounded) and returns what each threw, in start order.</summary>
    public List<Exception?> JoinAll()
    {
        var errors = new List<Exception?>();
        foreach (var (thread, error) in _threads)
        {
            Bounded.Join(thread);
            errors.Add(error());
        }
        return errors;
    }

    /// <summary>
    /// Waits until the thread whose record is <paramref name="owner"/> is parked waiting for <paramref name="lock"/>
    /// and has published that wait to the detector (so the next acquire that closes a cycle is the one refused).
    /// </summary>
    public static void UntilBlockedOn(ThreadOwner owner, OwnedLock @lock) =>
        Bounded.Until(
            () => owner.CurrentWait is { IsPending: true } wait && ReferenceEquals(wait.Lock, @lock),
            $"{owner.Describe()} waits for '{@lock.Name}'");
}
