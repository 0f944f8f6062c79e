namespace Concur.Lessons;

/// <summary>
/// Two processes hand a token back and forth through a <see cref="ProcessCondition"/> (Python's
/// <c>multiprocessing.Condition</c>): Ping waits for its turn, prints, passes the turn and notifies; Pong does the same,
/// so the words alternate exactly, five rounds each, with no sleep and no busy loop.
/// </summary>
public static class PingPongCondition
{
    /// <summary>How many times each process prints its word.</summary>
    public const int Rounds = 5;

    /// <summary>Gets the lesson's description.</summary>
    public static Lesson Lesson { get; } = new(
        "pingpong-condition",
        "Ping and Pong take turns through a ProcessCondition",
        "Two processes hand a token through a ProcessCondition and a SharedValue<int>: PingPongPingPong... five rounds, strictly alternating.",
        Run,
        usesChildProcesses: true);

    /// <summary>Runs in a child process: <paramref name="rounds"/> times, waits until the token is <paramref name="mine"/>, prints, and passes it on.</summary>
    /// <param name="turn">The condition both processes wait on (its lock guards the token).</param>
    /// <param name="token">Whose turn it is: 0 for Ping, 1 for Pong.</param>
    /// <param name="mine">This process's number.</param>
    /// <param name="text">"Ping" or "Pong".</param>
    /// <param name="rounds">How many times to print.</param>
    public static void Player(ProcessCondition turn, SharedValue<int> token, int mine, string text, int rounds)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(token);
        for (int i = 0; i < rounds; i++)
        {
            // with cond: wait_for(lambda: token.value == mine); print; token.value = 1 - mine; cond.notify()
            using (turn.Acquire())
            {
                turn.WaitFor(() => token.Value == mine);
                Console.Write(text);
                Console.Out.Flush();
                token.Value = 1 - mine;
                turn.Notify();
            }
        }
    }

    private static void Run(TextWriter output, CancellationToken cancellationToken)
    {
        using var turn = new ProcessCondition();
        using var token = new SharedValue<int>(0, withLock: false); // the condition's lock guards it
        var ping = new ChildProcess(() => Player(turn, token, 0, "Ping", Rounds));
        var pong = new ChildProcess(() => Player(turn, token, 1, "Pong", Rounds));
        pong.Start(); // Pong starts first and still waits for Ping: the token decides, not the start order.
        ping.Start();
        ping.Join();
        pong.Join();
        Console.Out.Flush();
        output.WriteLine();
        output.WriteLine($"the token is back with Ping: {token.Read()}");
    }
}
