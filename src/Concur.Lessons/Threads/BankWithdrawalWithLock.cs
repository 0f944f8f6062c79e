namespace Concur.Lessons;

/// <summary>The lesson's bank withdrawal with <c>lock.acquire()</c> / <c>try</c> / <c>finally: lock.release()</c>.</summary>
public static class BankWithdrawalWithLock
{
    private static readonly ExclusiveLock s_lock = new("balance"); // lock = threading.Lock()
    private static int s_balance;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "bank-withdrawal-lock",
        "(cell) 银行取钱 with Lock (300 and 800)",
        "The check and the update happen under one lock, so only one withdrawal succeeds and the balance never goes negative.",
        Run);

    private static void Draw(TextWriter output, int drawAccount)
    {
        var name = Thread.CurrentThread.Name;
        // Python: lock.acquire(); try: ... finally: lock.release(). In C# the scope returned by Acquire does the
        // finally: `using` releases the lock however the block is left.
        using (s_lock.Acquire())
        {
            if (s_balance >= drawAccount)
            {
                output.WriteLine($"{name}取钱成功，取出钱数为：{drawAccount}");
                Thread.Sleep(TimeSpan.FromMilliseconds(1)); // descheduled here: the other thread waits at Acquire
                s_balance -= drawAccount;
                output.WriteLine($"\n账号余额为：{s_balance}");
            }
            else
            {
                output.WriteLine($"{name}账号取钱时余额不足");
            }
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        s_balance = 1000;
        var t1 = new Thread(() => Draw(output, 300)) { Name = "甲" };
        var t2 = new Thread(() => Draw(output, 800)) { Name = "乙" };
        t1.Start();
        t2.Start();
        t1.Join();
        t2.Join();
        output.WriteLine($"final balance: {s_balance}"); // 700 or 200: whichever came first; never negative
    }
}
