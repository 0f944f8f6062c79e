using System.Collections.Concurrent;
using Concur.Tests.Support;

namespace Concur.Tests.Threading;

/// <summary>
/// A group of background threads running the same body (CPython's <c>Bunch</c> in lock_tests.py). Exceptions thrown
/// by the body are collected and rethrown by <see cref="Join"/>, so an assertion failing on a worker fails the test.
/// </summary>
internal sealed class ThreadBunch
{
    private readonly List<Thread> _threads = new();
    private readonly ConcurrentQueue<Exception> _errors = new();

    private ThreadBunch()
    {
    }

    /// <summary>Starts <paramref name="count"/> threads running <paramref name="body"/>(index).</summary>
    public static ThreadBunch Start(int count, Action<int> body, string name = "bunch")
    {
        var bunch = new ThreadBunch();
        for (int i = 0; i < count; i++)
        {
            int index = i;
            var thread = new Thread(() =>
            {
                try
                {
                    body(index);
                }
                catch (Exception ex)
                {
                    bunch._errors.Enqueue(ex);
                }
            })
            {
                IsBackground = true,
                Name = $"{name}-{index}",
            };
            bunch._threads.Add(thread);
        }
        foreach (var thread in bunch._threads)
        {
            thread.Start();
        }
        return bunch;
    }

    /// <summary>Gets a value indicating whether every thread is blocked (or has finished).</summary>
    public bool AllBlockedOrDone => _threads.All(t =>
        !t.IsAlive || (t.ThreadState & ThreadState.WaitSleepJoin) != 0);

    /// <summary>Gets how many threads have finished.</summary>
    public int Finished => _threads.Count(t => !t.IsAlive);

    /// <summary>Joins every thread (bounded) and rethrows what their bodies threw.</summary>
    public void Join()
    {
        foreach (var thread in _threads)
        {
            Bounded.Join(thread);
        }
        if (!_errors.IsEmpty)
        {
            throw new AggregateException("A thread of the bunch failed.", _errors);
        }
    }
}
