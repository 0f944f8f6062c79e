namespace Concur.Lessons;

/// <summary>The lesson's <c>myThread(threading.Thread)</c> cell: a thread class that overrides <c>run()</c>, made a daemon.</summary>
public static class MyThread
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "my-thread",
        "(cell) class myThread(threading.Thread)",
        "A thread class with its own run(); daemon threads do not keep the process alive, but join() still waits for them.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var t = new NumberThread(6, "mythread", output)
        {
            // t.daemon = True: in .NET a daemon thread is a background thread (IsBackground = true).
            Daemon = true,
        };
        t.Start();
        t.Join(); // join waits for a daemon thread like any other; "daemon" only matters when the process exits
        output.WriteLine($"thread {Thread.CurrentThread.Name ?? "MainThread"} ended.");
    }

    /// <summary>
    /// Python subclasses <c>threading.Thread</c> and overrides <c>run()</c>. <see cref="Thread"/> is sealed in .NET, so
    /// the idiom is a class that owns its thread and has a <c>Run</c> method of its own.
    /// </summary>
    private sealed class NumberThread
    {
        private readonly Thread _thread;
        private readonly int _num;
        private readonly TextWriter _output;

        public NumberThread(int num, string threadName, TextWriter output)
        {
            _num = num;
            _output = output;
            _thread = new Thread(Run) { Name = threadName };
        }

        public bool Daemon
        {
            get => _thread.IsBackground;
            set => _thread.IsBackground = value;
        }

        public void Start() => _thread.Start();

        public void Join() => _thread.Join();

        private void Run()
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(50)); // the lesson blocks for 2 s
            _output.WriteLine(_num);
        }
    }
}
