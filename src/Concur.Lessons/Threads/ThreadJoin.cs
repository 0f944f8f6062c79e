namespace Concur.Lessons;

/// <summary>The lesson's "join" cell: two threads print number ranges; <c>join</c> makes them run one after the other.</summary>
public static class ThreadJoin
{
    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "thread-join",
        "(cell) #join方法",
        "Thread(target, name, args) and join(): the second thread starts only after the first has finished.",
        Run);

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        // def func(x, y): for i in range(x, y): print(i, end=' ')
        void Func(int x, int y)
        {
            for (var i = x; i < y; i++)
            {
                output.Write($"{i} ");
            }
        }

        // threading.Thread(target=func, name='thread1', args=(1, 10)): in .NET the target is a delegate,
        // the arguments are captured by the lambda.
        var t1 = new Thread(() => Func(1, 10)) { Name = "thread1" };
        t1.Start();
        t1.Join(); // without this join, thread2 may print in the middle of thread1's numbers
        var t2 = new Thread(() => Func(10, 15)) { Name = "thread2" };
        t2.Start();
        t2.Join();
        output.WriteLine();
    }
}
