using System.Diagnostics;

namespace Concur.Lessons;

/// <summary>multitask1.py: the sum of 1..100,000,000 split over eight processes.</summary>
public static class MultiTask1
{
    private const long Last = 100_000_000;
    private const int Processes = 8;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "multitask1",
        "multitask1.py",
        "A CPU-bound sum split into 8 slices, one per process; the parent adds the 8 partial sums.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a worker process: adds the numbers <paramref name="first"/>..<paramref name="last"/>.</summary>
    /// <param name="first">The slice's first number.</param>
    /// <param name="last">The slice's last number (included).</param>
    /// <returns>The slice's sum.</returns>
    public static long TaskHandler(long first, long last)
    {
        long total = 0;
        for (var number = first; number <= last; number++)
        {
            total += number;
        }
        return total;
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // Two differences from the lesson, both forced by what crosses a process boundary:
        // - The lesson builds a list of 100,000,000 numbers and sends each process a slice of 12,500,000 of them.
        //   Here each process gets its slice as (first, last): sending 800 MB through pipes would measure the
        //   copying, not the adding.
        // - The lesson's processes put their partial sums on a multiprocessing.Queue, and the parent drains it.
        //   Concur has no inter-process queue yet, so each partial sum comes back as the function's result,
        //   through a ProcessPoolExecutor of 8 processes: the same eight numbers, delivered by the pool.
        using var pool = new ProcessPoolExecutor(maxWorkers: Processes);
        var watch = Stopwatch.StartNew(); // 开始记录所有进程执行完成花费的时间
        var slice = Last / Processes;
        var partials = new List<Task<long>>();
        for (var index = 0L; index < Last; index += slice) // 启动8个进程将数据切片后进行运算
        {
            partials.Add(pool.Submit(TaskHandler, index + 1, index + slice, cancellationToken));
        }
        long total = 0; // 合并执行结果
        foreach (var partial in partials)
        {
            total += partial.GetAwaiter().GetResult();
        }
        output.WriteLine(total);
        output.WriteLine($"Execution time: {watch.Elapsed.TotalSeconds:0.000}s");
    }
}
