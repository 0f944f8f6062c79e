namespace Concur.Lessons;

/// <summary>The lesson's Thread-Local Data program: <c>local_data = threading.local()</c>, each thread sums into its own <c>num</c>.</summary>
public static class ThreadLocalData
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "thread-local-data",
        "(cell) local_data = threading.local()",
        "One global ThreadLocal object, a private value per thread: both threads count 0, 1, 3, 6, 10 without disturbing each other.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // 创建全局ThreadLocal对象. Python's `try: local_data.num += i  except: local_data.num = i` is
        // "the first time in this thread, there is no value yet": ThreadLocal<T>.IsValueCreated.
        using var localData = new ThreadLocal<int>();

        void Fun(int n)
        {
            for (var i = 0; i < n; i++)
            {
                localData.Value = localData.IsValueCreated ? localData.Value + i : i;
                Thread.Sleep(TimeSpan.FromMilliseconds(10)); // 0.1 s in the lesson
                output.WriteLine($"\n{Thread.CurrentThread.Name} local_data is : {localData.Value}");
            }
        }

        var threads = new List<Thread>
        {
            new(() => Fun(5)) { Name = "Thread1" },
            new(() => Fun(5)) { Name = "Thread2" },
        };
        foreach (var t in threads)
        {
            t.Start();
        }
        foreach (var t in threads)
        {
            t.Join();
        }
    }
}
