using Concur.Tests.Support;

namespace Concur.Tests.Queues;

/// <summary>A real thread running a test action; <see cref="Join"/> waits (bounded) and rethrows what it threw.</summary>
internal sealed class TestThread
{
    private readonly Thread _thread;
    private Exception? _error;

    private TestThread(Action action, string name)
    {
        _thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _error = e;
            }
        })
        { IsBackground = true, Name = name };
    }

    public bool IsAlive => _thread.IsAlive;

    public static TestThread Start(Action action, string name = "queue-test")
    {
        var t = new TestThread(action, name);
        t._thread.Start();
        return t;
    }

    /// <summary>Joins the thread (failing after <see cref="Bounded.Limit"/>) and rethrows its exception, if any.</summary>
    public void Join()
    {
        Bounded.Join(_thread);
        if (_error is not null)
        {
            throw new InvalidOperationException($"Thread '{_thread.Name}' failed: {_error.Message}", _error);
        }
    }

    /// <summary>Joins the thread and returns the exception it threw (null if none).</summary>
    public Exception? JoinError()
    {
        Bounded.Join(_thread);
        return _error;
    }
}
