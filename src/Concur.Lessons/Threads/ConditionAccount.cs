namespace Concur.Lessons;

/// <summary>
/// The lesson's <c>class Account(Thread)</c> with <c>put()</c> and <c>take()</c>: both "accounts" are called from the
/// main thread in a loop, so when <c>take()</c> has to <c>wait()</c>, no other thread exists to <c>notify()</c> it.
/// </summary>
public static class ConditionAccount
{
    private const int Rounds = 20;
    private static int s_balance;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "condition-account",
        "(cell) class Account(Thread): put() / take() with Condition",
        "wait() needs ANOTHER thread to notify(): the lesson's Account threads are never started, so its first wait never ends.",
        Run);

    private sealed class Account(string id, string name, Condition con, TextWriter output)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public void Put()
        {
            var count = Random.Shared.Next(1, 101); // randint(1, 100)
            using (con.Acquire())
            {
                s_balance += count;
                output.WriteLine($"{Name} put {count} balance: {s_balance}");
                con.Notify();
            }
        }

        /// <returns><see langword="false"/> when take() waited for a notify that could never come.</returns>
        public bool Take()
        {
            using (con.Acquire())
            {
                var count = Random.Shared.Next(1, 101);
                if (s_balance < count)
                {
                    // Python: con.wait() -- forever: the only thread that could put() money is this one, and it is
                    // blocked right here. (Concur's deadlock detector does not see this either: a condition wait is
                    // not waiting for a lock holder, and anyone might notify.) The lesson waits 0.1 s, then says so.
                    if (!con.Wait(TimeSpan.FromMilliseconds(100)))
                    {
                        output.WriteLine(
                            $"{Name} wants {count} but the balance is {s_balance}: wait() is never notified, the Python program hangs here.");
                        return false;
                    }
                }
                else
                {
                    s_balance -= count;
                    output.WriteLine($"{Name} take {count} balance: {s_balance}");
                    con.Notify();
                }
            }
            return true;
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        var con = new Condition(name: "con");
        s_balance = 100;
        var taker = new Account("ID1", "taker", con, output);
        var putter = new Account("ID2", "putter", con, output);
        // Python: while True: taker.take(); putter.put() -- on the main thread; the Account "threads" never start.
        for (var round = 0; round < Rounds && !cancellationToken.IsCancellationRequested; round++)
        {
            if (!taker.Take())
            {
                return;
            }
            putter.Put();
        }
        output.WriteLine($"{Rounds} rounds without ever having to wait (the lesson loops forever; it stops after {Rounds}).");
    }
}
