namespace Concur.Lessons;

/// <summary>The lesson's deadlock (死锁): two transfers lock two accounts in opposite orders.</summary>
public static class TransferDeadlock
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "transfer-deadlock",
        "(cell) 死锁: transfer(a, b) and transfer(b, a)",
        "Two threads each hold one account's lock and wait for the other's: in Python they hang forever; Concur reports the deadlock.",
        Run);

    private sealed class Account(string id, int balance)
    {
        public string Id { get; } = id;

        public int Balance { get; private set; } = balance;

        // Each account has its own lock; named, so that the deadlock report can name it.
        public ExclusiveLock Lock { get; } = new($"account {id}");

        public void Withdraw(int amount) => Balance -= amount;

        public void Deposit(int amount) => Balance += amount;
    }

    private static void Transfer(TextWriter output, Account src, Account dst, int amount, ThreadBarrier bothHoldTheirFirstLock, CancellationToken cancellationToken)
    {
        using (src.Lock.Acquire(cancellationToken)) // 锁住自己的账户
        {
            src.Withdraw(amount);
            // The lesson sleeps 1 s "so that the two transfers overlap in time and have enough time to deadlock".
            // A barrier makes that certain instead of likely: both transfers now hold their first lock.
            bothHoldTheirFirstLock.Wait(cancellationToken);
            output.WriteLine("wait for lock...");
            try
            {
                using (dst.Lock.Acquire(cancellationToken)) // 锁住对方的账户: the two threads wait for each other here
                {
                    dst.Deposit(amount);
                }
            }
            catch (DeadlockException e)
            {
                // Python has no such exception: both threads wait forever. Concur refuses the acquire that closes
                // the cycle, in exactly one of the threads; its `using` then releases src, so the other transfer
                // goes on. The victim puts the money back, as a database rolls back its deadlock victim.
                src.Deposit(amount);
                output.WriteLine($"{Thread.CurrentThread.Name}: refused, the transfer is rolled back.");
                output.WriteLine(e.Message);
                return;
            }
        }
        output.WriteLine("finish...");
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var a = new Account("a", 1000);
        var b = new Account("b", 1000);
        var bothHoldTheirFirstLock = new ThreadBarrier(2);
        var t1 = new Thread(() => Transfer(output, a, b, 100, bothHoldTheirFirstLock, cancellationToken)) { Name = "transfer a->b" }; // a转账100到b
        var t2 = new Thread(() => Transfer(output, b, a, 200, bothHoldTheirFirstLock, cancellationToken)) { Name = "transfer b->a" }; // b转账200到a
        t1.Start();
        t2.Start();
        t1.Join();
        t2.Join();
        output.WriteLine($"a: {a.Balance}, b: {b.Balance}, total: {a.Balance + b.Balance}");
    }
}
