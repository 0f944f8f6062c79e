using System.Collections.Concurrent;
using Concur.Threading.Internal;

namespace Concur.Tests.Support;

/// <summary>
/// The one helper for the threads a test starts (CPython's <c>lock_tests.Bunch</c>): starts named background
/// threads, records what each one throws instead of letting it crash the test host, and joins them with the
/// suite's bound, so a thread that hangs fails the test instead of stalling it.
/// </summary>
/// <remarks>
/// One thread (<see cref="StartOne"/>), a numbered group (<see cref="StartMany"/>), threads added one by one
/// (<see cref="Start(string, Action)"/>), or a thread that holds a lock until the group is disposed
/// (<see cref="HoldLock"/>). Disposing releases held locks and joins every thread, so a test that fails half way
/// leaves no thread behind.
/// </remarks>
internal sealed class TestThreads : IDisposable
{
    private readonly List<Thread> _threads = [];
    private readonly ConcurrentDictionary<Thread, Exception> _errors = new();
    private readonly ManualResetEventSlim _release = new();
    private bool _disposed;

    /// <summary>Gets a value indicating whether some thread of the group still runs.</summary>
    public bool IsAlive => _threads.Any(t => t.IsAlive);

    /// <summary>Gets a value indicating whether every thread is blocked (WaitSleepJoin) or has finished.</summary>
    public bool AllBlockedOrDone => _threads.All(t => !t.IsAlive || (t.ThreadState & ThreadState.WaitSleepJoin) != 0);

    /// <summary>Gets how many threads have finished.</summary>
    public int Finished => _threads.Count(t => !t.IsAlive);

    /// <summary>Starts one thread running <paramref name="body"/>.</summary>
    public static TestThreads StartOne(Action body, string name = "test-thread")
    {
        var threads = new TestThreads();
        threads.Start(name, body);
        return threads;
    }

    /// <summary>Starts <paramref name="count"/> threads, each running <paramref name="body"/> with its index, named <c>name-index</c>.</summary>
    public static TestThreads StartMany(int count, Action<int> body, string name = "bunch")
    {
        var threads = new TestThreads();
        for (var i = 0; i < count; i++)
        {
            var index = i;
            threads.Start($"{name}-{index}", () => body(index));
        }
        return threads;
    }

    /// <summary>Starts a thread that acquires <paramref name="target"/> and holds it until the group is disposed; returns once it holds it.</summary>
    public static TestThreads HoldLock(OwnedLock target)
    {
        var threads = new TestThreads();
        using var held = new ManualResetEventSlim();
        threads.Start("lock holder", () =>
        {
            using (target.Acquire())
            {
                held.Set();
                threads._release.Wait(Bounded.Limit);
            }
        });
        if (!held.Wait(Bounded.Limit))
        {
            throw new TimeoutException($"The holder thread did not acquire '{target.Name}' within {Bounded.Limit.TotalSeconds} s.");
        }
        return threads;
    }

    /// <summary>Waits until <paramref name="owner"/> is blocked acquiring <paramref name="lock"/> (its wait is published for the deadlock detector).</summary>
    public static void UntilBlockedOn(ThreadOwner owner, OwnedLock @lock) =>
        Bounded.Until(
            () => owner.CurrentWait is { IsPending: true } wait && ReferenceEquals(wait.Lock, @lock),
            $"{owner.Describe()} waits for '{@lock.Name}'");

    /// <summary>Starts one more thread named <paramref name="name"/> running <paramref name="body"/>.</summary>
    public Thread Start(string name, Action body)
    {
        Thread? thread = null;
        thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                _errors[thread!] = e;
            }
        })
        {
            Name = name,
            IsBackground = true,
        };
        _threads.Add(thread);
        thread.Start();
        return thread;
    }

    /// <summary>Joins every thread (bounded) and returns what each threw, in start order (<see langword="null"/> for none).</summary>
    public List<Exception?> JoinAll()
    {
        foreach (var thread in _threads)
        {
            Bounded.Join(thread);
        }
        return _threads.Select(t => _errors.TryGetValue(t, out var e) ? e : null).ToList();
    }

    /// <summary>Joins every thread and returns the first exception thrown, or <see langword="null"/>.</summary>
    public Exception? JoinError() => JoinAll().FirstOrDefault(e => e is not null);

    /// <summary>Joins every thread; throws if one failed, with what it threw as the inner exception.</summary>
    public void Join()
    {
        var errors = JoinAll().OfType<Exception>().ToList();
        if (errors.Count == 1)
        {
            throw new InvalidOperationException($"A test thread failed: {errors[0].Message}", errors[0]);
        }
        if (errors.Count > 1)
        {
            throw new AggregateException("Test threads failed.", errors);
        }
    }

    /// <summary>Releases the locks held by <see cref="HoldLock"/> and joins every thread.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _release.Set();
        JoinAll();
        _release.Dispose();
    }
}
