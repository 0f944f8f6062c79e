using System.Diagnostics;

namespace Concur.Lessons;

/// <summary>multitask1.py: the sum of 1..100,000,000 split over eight processes, which put their partial sums on a queue.</summary>
public static class MultiTask1
{
    private const long Last = 100_000_000;
    private const int Processes = 8;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "multitask1",
        "multitask1.py",
        "A CPU-bound sum split into 8 slices, one per process; each puts its partial sum on a ProcessQueue, the parent adds them.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a child process: adds the numbers <paramref name="first"/>..<paramref name="last"/> and puts the sum on the queue.</summary>
    /// <param name="first">The slice's first number.</param>
    /// <param name="last">The slice's last number (included).</param>
    /// <param name="resultQueue">The parent's queue for the partial sums.</param>
    public static void TaskHandler(long first, long last, ProcessQueue<long> resultQueue)
    {
        long total = 0;
        for (var number = first; number <= last; number++)
        {
            total += number;
        }
        resultQueue.Put(total);
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // One difference from the lesson: it builds a list of 100,000,000 numbers and sends each process a slice of
        // 12,500,000 of them. Here each process gets its slice as (first, last): copying 800 MB into 8 processes would
        // measure the copying, not the adding.
        var processes = new List<ChildProcess>();
        using var resultQueue = new ProcessQueue<long>();
        var slice = Last / Processes;
        for (var index = 0L; index < Last; index += slice) // 启动8个进程将数据切片后进行运算
        {
            var first = index + 1;
            var last = index + slice;
            var p = new ChildProcess(() => TaskHandler(first, last, resultQueue));
            processes.Add(p);
            p.Start();
        }
        var watch = Stopwatch.StartNew(); // 开始记录所有进程执行完成花费的时间
        foreach (var p in processes)
        {
            p.Join(); // a child that has put its sum exits at once: nothing waits to be flushed
        }
        long total = 0; // 合并执行结果
        while (!resultQueue.IsEmpty)
        {
            total += resultQueue.Get(cancellationToken);
        }
        output.WriteLine(total);
        output.WriteLine($"Execution time: {watch.Elapsed.TotalSeconds:0.000}s");
    }
}
