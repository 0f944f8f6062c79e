namespace Concur.Lessons;

/// <summary>
/// The lesson's <c>class Accout</c> program: <c>put_money</c> threads append to a shared list of at most two items,
/// <c>get_money</c> threads remove from it, coordinated by one Condition.
/// </summary>
public static class AccountPutGet
{
    private const int Pairs = 3;
    private static readonly TimeSpan s_runFor = TimeSpan.FromMilliseconds(200);
    private static readonly List<int> s_tempList = [];

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "account-put-get",
        "(cell) class Accout: put_money / get_money threads",
        "A list used as a buffer of two under a Condition: putters wait while it is full, getters wait while it is empty.",
        Run);

    private sealed class Account(string user, int count, Condition con, TextWriter output, CancellationToken stop)
    {
        public void PutMoney()
        {
            while (!stop.IsCancellationRequested)
            {
                using (con.Acquire(stop))
                {
                    if (s_tempList.Count > 1)
                    {
                        con.Wait(stop);
                    }
                    else
                    {
                        s_tempList.Add(count);
                        output.WriteLine($"{user}余额为{count}");
                        con.Notify();
                    }
                }
                Thread.Sleep(TimeSpan.FromMilliseconds(20)); // 3 s in the lesson
            }
        }

        public void GetMoney()
        {
            while (!stop.IsCancellationRequested)
            {
                using (con.Acquire(stop))
                {
                    if (s_tempList.Count == 0)
                    {
                        con.Wait(stop);
                    }
                    else
                    {
                        output.WriteLine($"{user}取出{s_tempList[0]}");
                        s_tempList.RemoveAt(0);
                        con.Notify();
                    }
                }
                Thread.Sleep(TimeSpan.FromMilliseconds(20));
            }
        }

        public Thread PutProcess() => Start(PutMoney, "put_money");

        public Thread GetProcess() => Start(GetMoney, "get_money");

        private static Thread Start(Action body, string name)
        {
            var t = new Thread(() => ProducerConsumer.Guarded(body)) { Name = name };
            t.Start();
            return t;
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        s_tempList.Clear();
        // The lesson writes `con = threading.Condition()` after `from threading import Thread, Condition`, a
        // NameError; Condition() is what it means.
        var con = new Condition(name: "con");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var threads = new List<Thread>();
        // The lesson's test() runs `while True:`, starting a new pair of threads on every turn, without end:
        // thousands of threads within a second. This version starts a fixed number of pairs.
        for (var i = 0; i < Pairs; i++)
        {
            var count1 = Random.Shared.Next(1, 101);
            var p = new Account("账号", count1, con, output, stop.Token);
            threads.Add(p.PutProcess());
            var q = new Account("账号", 0, con, output, stop.Token);
            threads.Add(q.GetProcess());
        }
        stop.Token.WaitHandle.WaitOne(s_runFor);
        stop.Cancel();
        foreach (var t in threads)
        {
            t.Join();
        }
        output.WriteLine($"left in the list: [{string.Join(", ", s_tempList)}]");
    }
}
