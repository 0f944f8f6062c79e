namespace Concur.Lessons;

/// <summary>The lesson's bank withdrawal without a lock (线程安全经典问题：银行取钱): a check-then-act race.</summary>
public static class BankWithdrawal
{
    private static int s_balance;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "bank-withdrawal",
        "(cell) 银行取钱, no lock",
        "Two threads withdraw 600 from 1000 without a lock: both may pass the balance check, and the balance can go negative.",
        Run);

    private static void Draw(TextWriter output, int account)
    {
        var name = Thread.CurrentThread.Name;
        if (s_balance >= account)
        {
            output.WriteLine($"{name}取钱成功，取出钱数为：{account}");
            // The sleep stands for the thread being descheduled between the check and the update: the other
            // thread runs the same check on the old balance meanwhile. (The lesson sleeps 0.1 ms; .NET sleeps
            // whole milliseconds.)
            Thread.Sleep(TimeSpan.FromMilliseconds(1));
            s_balance -= account;
            output.WriteLine($"\n账号余额为：{s_balance}");
        }
        else
        {
            output.WriteLine($"{name}账号取钱时余额不足");
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        s_balance = 1000; // 假定这是银行存款
        var t1 = new Thread(() => Draw(output, 600)) { Name = "甲" };
        var t2 = new Thread(() => Draw(output, 600)) { Name = "乙" };
        t1.Start();
        t2.Start();
        t1.Join();
        t2.Join();
        // Run it several times: sometimes 400, sometimes -200, depending on how the threads were scheduled.
        // (Rarely both pass the check and still 400 is left: `s_balance -= account` is a read and a write, and one
        // thread's write can overwrite the other's, a lost update: the same race, another symptom.)
        output.WriteLine($"final balance: {s_balance}");
    }
}
