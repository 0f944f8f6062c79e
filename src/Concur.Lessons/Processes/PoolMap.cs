namespace Concur.Lessons;

/// <summary>poolmap.py: <c>with multiprocessing.Pool(4) as pool: results = pool.map(fun, (3, 6, 9))</c>.</summary>
public static class PoolMap
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "poolmap",
        "poolmap.py",
        "pool.map() sends each input to a pool process and returns the results in input order: 3, 15, 36.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a pool process: sums 0..num-1, printing each step with its pid.</summary>
    /// <param name="num">How many numbers to add.</param>
    /// <returns>0 + 1 + ... + (num - 1).</returns>
    public static int Fun(int num)
    {
        var mysum = 0;
        for (var i = 0; i < num; i++)
        {
            Console.WriteLine($"({ChildProcess.CurrentProcessId})process is running: {i}");
            mysum += i;
        }
        return mysum;
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        using (var pool = new ProcessPool(4)) // 使用with语句进行上下文管理
        {
            // 使用进程执行map计算: one task per element, results in input order.
            var results = pool.Map(Fun, [3, 6, 9]);
            foreach (var item in results)
            {
                output.WriteLine(item);
            }
        }
    }
}
