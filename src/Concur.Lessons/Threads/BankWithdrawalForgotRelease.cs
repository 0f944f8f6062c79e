namespace Concur.Lessons;

/// <summary>
/// The lesson's third bank cell: <c>lock.acquire()</c> but no <c>release()</c>. The first thread keeps the lock after
/// it ends, and the second waits for it forever.
/// </summary>
public static class BankWithdrawalForgotRelease
{
    private static int s_balance;
    private static int s_runs;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "bank-withdrawal-forgot-release",
        "(cell) 银行取钱 with lock.acquire() and no release()",
        "A lock that is never released blocks the next thread forever: why the lesson insists on try/finally (using in C#).",
        Run);

    private static void Draw(TextWriter output, ExclusiveLock balanceLock, int drawAccount, CancellationToken giveUp)
    {
        var name = Thread.CurrentThread.Name;
        try
        {
            // The bug, kept: Acquire() and never Release() (no `using`). The lesson's Python waits here forever;
            // this thread gives up when the lesson cancels the wait, so that the program ends.
            balanceLock.Acquire(giveUp);
        }
        catch (OperationCanceledException)
        {
            output.WriteLine($"{name} gave up waiting for the lock: it is still held, and nobody will ever release it");
            return;
        }
        if (s_balance >= drawAccount)
        {
            output.WriteLine($"{name}取钱成功，取出钱数为：{drawAccount}");
            Thread.Sleep(TimeSpan.FromMilliseconds(1));
            s_balance -= drawAccount;
            output.WriteLine($"\n账号余额为：{s_balance}");
        }
        else
        {
            output.WriteLine($"{name}账号取钱时余额不足");
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        s_balance = 1000;
        // A name of its own for every run: the locks of earlier runs are still held (by threads that have ended).
        var balanceLock = new ExclusiveLock($"balance (run {Interlocked.Increment(ref s_runs)})");
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var t1 = new Thread(() => Draw(output, balanceLock, 600, giveUp.Token)) { Name = "甲" };
        var t2 = new Thread(() => Draw(output, balanceLock, 600, giveUp.Token)) { Name = "乙" };
        t1.Start();
        t2.Start();

        // One of the two threads finishes (still owning the lock); the other one is stuck in Acquire.
        // Concur's deadlock detector does not report this: the owner is not waiting for anything (it has ended),
        // so there is no cycle; LockDiagnostics shows who holds the lock and who waits.
        var stuck = WaitForAWaiter(balanceLock, TimeSpan.FromMilliseconds(500));
        output.WriteLine(stuck
            ? "One thread is stuck in acquire(). The lock's state (from LockDiagnostics.Snapshot()):"
            : "No thread waited for the lock within 0.5 s. The lock's state (from LockDiagnostics.Snapshot()):");
        output.WriteLine(Describe(balanceLock));
        giveUp.Cancel();
        t1.Join();
        t2.Join();
        output.WriteLine($"final balance: {s_balance}");
    }

    private static bool WaitForAWaiter(ExclusiveLock balanceLock, TimeSpan patience)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < patience)
        {
            if (LockDiagnostics.Snapshot().Any(s => s.Name == balanceLock.Name && s.Waiters.Count > 0))
            {
                return true;
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(5));
        }
        return false;
    }

    private static string Describe(ExclusiveLock balanceLock) =>
        string.Join(
            Environment.NewLine,
            LockDiagnostics.Snapshot().Where(s => s.Name == balanceLock.Name).Select(s =>
                $"  lock '{s.Name}' held by {s.Holder ?? "nobody"}; waiting: {string.Join(", ", s.Waiters.Select(w => w.Waiter))}"));
}
