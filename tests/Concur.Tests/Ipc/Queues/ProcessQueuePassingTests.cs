using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Queues;

/// <summary>
/// Issue 9, point 4 for queues: a queue captured by a child's lambda, passed as its argument, held in a field of a
/// subclass, or given to a pool task (which CPython refuses) is the same queue in the other process.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ProcessQueuePassingTests
{
    [Fact]
    public void Queue_CapturedByChildLambda_IsTheSameQueue()
    {
        using var queue = new ProcessQueue<string>();
        queue.Put("from the parent");
        var child = new ChildProcess(() =>
        {
            string got = queue.Get(Bounded.Limit);
            queue.Put($"{got}, seen by {ChildProcess.CurrentProcessId}");
        });
        RunChild(child);
        Assert.Equal($"from the parent, seen by {child.Pid}", queue.Get(TimeSpan.Zero));
    }

    [Fact]
    public void Queue_AsChildArgument_IsTheSameQueue()
    {
        using var queue = new ProcessQueue<int>(maxSize: 5);
        RunChild(ChildProcess.Create(PutSizeAndBound, queue));
        Assert.Equal([0, 5], new[] { queue.Get(TimeSpan.Zero), queue.Get(TimeSpan.Zero) });
    }

    [Fact]
    public void Queue_AsFieldOfChildProcessSubclass_IsTheSameQueue()
    {
        using var queue = new SimpleProcessQueue<string>();
        RunChild(new Writer(queue));
        Assert.Equal("written by the subclass", queue.Get());
    }

    [Fact]
    public void JoinableQueue_DeclaredAsProcessQueue_ArrivesJoinable()
    {
        using var queue = new JoinableProcessQueue<int>();
        queue.Put(1);
        ProcessQueue<int> declared = queue;
        var child = new ChildProcess(() =>
        {
            var joinable = (JoinableProcessQueue<int>)declared;
            joinable.Get(Bounded.Limit);
            joinable.TaskDone();
        });
        RunChild(child);
        Assert.True(queue.Join(TimeSpan.Zero));
    }

    [Fact]
    public async Task Queue_GivenToPoolTasks_AsArgumentAndCapture_IsTheSameQueue()
    {
        using var queue = new ProcessQueue<int>();
        await using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        int[] pids = await Bounded.Within(Task.WhenAll(
            pool.Submit(PutPid, queue),
            pool.Submit(() =>
            {
                queue.Put(ChildProcess.CurrentProcessId);
                return ChildProcess.CurrentProcessId;
            })));
        Assert.Equal(pids.Order(), new[] { queue.Get(Bounded.Limit), queue.Get(Bounded.Limit) }.Order());
        Assert.DoesNotContain(Environment.ProcessId, pids);

        // The same queue again, to the same workers: one registration, every task gets it.
        await Bounded.Within(Task.WhenAll(Enumerable.Range(0, 10).Select(_ => pool.Submit(PutPid, queue))));
        Assert.Equal(10, queue.Count);
    }

    [Fact]
    public void Queue_DisposedInTheSenderBeforeTheReceiverOpensIt_TheReceiverIsToldWhy()
    {
        var (carrier, carried) = Connection.CreatePipe();
        var (control, childControl) = Connection.CreatePipe();
        using (carrier)
        using (carried)
        using (control)
        using (childControl)
        {
            var child = new ChildProcess(() =>
            {
                childControl.Receive<int>(); // Only once the parent has disposed the queue it sent.
                try
                {
                    using var received = carried.Receive<ProcessQueue<int>>();
                    childControl.Send("received");
                }
                catch (IOException e)
                {
                    childControl.Send(e.Message);
                }
            });
            child.Start();
            try
            {
                var queue = new ProcessQueue<int>();
                carrier.Send(queue);
                queue.Dispose();
                control.Send(1);
                Assert.True(control.Poll(Bounded.Limit));
                string message = control.Receive<string>();
                Assert.Contains("ProcessQueue was disposed in the sending process", message, StringComparison.Ordinal);
                Assert.True(child.Join(Bounded.Limit));
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
    }

    internal static void PutSizeAndBound(ProcessQueue<int> queue)
    {
        queue.Put(queue.Count);
        queue.Put(queue.MaxSize);
    }

    internal static int PutPid(ProcessQueue<int> queue)
    {
        queue.Put(ChildProcess.CurrentProcessId);
        return ChildProcess.CurrentProcessId;
    }

    private static void RunChild(ChildProcess child)
    {
        child.Start();
        try
        {
            Assert.True(child.Join(Bounded.Limit), "The child did not end in time.");
            Assert.Equal(0, child.ExitCode);
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

    private sealed class Writer(SimpleProcessQueue<string> queue) : ChildProcess
    {
        private readonly SimpleProcessQueue<string> _queue = queue;

        protected override void Run() => _queue.Put("written by the subclass");
    }
}
