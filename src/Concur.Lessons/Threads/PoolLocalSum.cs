namespace Concur.Lessons;

/// <summary>The <c>fun(n)</c> shared by the lesson's three ThreadPoolExecutor programs.</summary>
internal static class PoolLocalSum
{
    // 创建全局ThreadLocal对象: local_data = local()
    private static readonly ThreadLocal<int> s_localData = new();

    /// <summary>
    /// Adds 0..n-1 into the calling thread's own <c>num</c> and returns it. A pool thread keeps its thread-local value
    /// from one task to the next: fun(10) run after fun(5) on the same thread returns 55, not 45.
    /// </summary>
    public static int Fun(TextWriter output, int n)
    {
        for (var i = 0; i < n; i++)
        {
            s_localData.Value = s_localData.IsValueCreated ? s_localData.Value + i : i;
            output.WriteLine($"\n{Thread.CurrentThread.Name} local_data is : {s_localData.Value}");
        }
        return s_localData.Value;
    }
}
