using System.Diagnostics;

namespace Concur.Tests.Futures;

/// <summary>
/// Work for the executor contract suite. Every member is static and takes only strings or numbers, so a process
/// pool can run it in another process: the test and the work share nothing but the file system.
/// </summary>
public static class ContractWork
{
    /// <summary>The message of <see cref="FailInitializer"/>'s exception.</summary>
    public const string InitializerFailure = "no database";

#pragma warning disable IDE1006 // A [ThreadStatic] field: t_, as in dotnet/runtime.
    [ThreadStatic]
    private static bool t_initialized;
#pragma warning restore IDE1006

    /// <summary>An initializer: marks the worker (its thread; in a process pool, the worker process's thread) as initialized.</summary>
    public static void MarkWorkerInitialized() => t_initialized = true;

    /// <summary>Tells whether the worker running it was initialized.</summary>
    public static bool IsWorkerInitialized() => t_initialized;

    /// <summary>An initializer that throws.</summary>
    public static void FailInitializer() => throw new InvalidOperationException(InitializerFailure);

    /// <summary>The longest a blocked work item waits for its release before giving up.</summary>
    public static readonly TimeSpan MaxBlock = TimeSpan.FromSeconds(30);

    /// <summary>Returns <paramref name="x"/> squared.</summary>
    public static int Square(int x) => x * x;

    /// <summary>Returns a constant.</summary>
    public static int FortyTwo() => 42;

    /// <summary>Throws <see cref="InvalidOperationException"/> with <paramref name="message"/>.</summary>
    public static int Fail(string message) => throw new InvalidOperationException(message);

    /// <summary>Returns <paramref name="x"/> squared, but throws for 3.</summary>
    public static int SquareFailingAtThree(int x) =>
        x == 3 ? throw new InvalidOperationException("item 3 failed") : x * x;

    /// <summary>Creates the file <paramref name="path"/> and returns the path.</summary>
    public static string Touch(string path)
    {
        File.WriteAllText(path, "ran");
        return path;
    }

    /// <summary>
    /// If <paramref name="argument"/> names a gate directory (<c>gate:{dir}</c>), marks the gate started and waits
    /// until it is released; otherwise touches the file <paramref name="argument"/>. Returns the argument.
    /// </summary>
    public static string BlockOrTouch(string argument)
    {
        if (argument.StartsWith("gate:", StringComparison.Ordinal))
        {
            return Block(argument["gate:".Length..]);
        }
        return Touch(argument);
    }

    /// <summary>The file <see cref="BlockAsync"/> creates in its gate directory once it has awaited <see cref="AwaitsBeforeMark"/> times.</summary>
    public const string AwaitedFile = "awaited";

    /// <summary>How many times <see cref="BlockAsync"/> awaits before it creates <see cref="AwaitedFile"/>.</summary>
    public const int AwaitsBeforeMark = 20;

    /// <summary>Waits asynchronously for 1 ms, then returns <paramref name="x"/> squared.</summary>
    public static async Task<int> SquareAsync(int x)
    {
        await Task.Delay(1);
        return x * x;
    }

    /// <summary>Returns a task of 42 without being async (a plain method that returns a task).</summary>
    public static Task<int> FortyTwoTask() => Task.FromResult(42);

    /// <summary>Awaits once, then throws <see cref="InvalidOperationException"/> with <paramref name="message"/>.</summary>
    public static async Task<int> FailAfterAwait(string message)
    {
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with <paramref name="message"/> before returning any task.</summary>
    public static Task<int> FailBeforeTask(string message) => throw new InvalidOperationException(message);

    /// <summary>Returns a task that ends cancelled by a token of the function's own, after one await.</summary>
    public static async Task<int> CancelledByOwnToken(int x)
    {
        using var cts = new CancellationTokenSource();
        await Task.Yield();
        await cts.CancelAsync();
        await Task.Delay(Timeout.Infinite, cts.Token);
        return x;
    }

    /// <summary>
    /// The async <see cref="Block"/>: marks the gate directory <paramref name="gateDirectory"/> as started, then
    /// waits without holding a thread (polling with <c>await Task.Delay</c>, at most <see cref="MaxBlock"/>) until the
    /// test releases it; after <see cref="AwaitsBeforeMark"/> awaits it creates <see cref="AwaitedFile"/>, so the test
    /// knows the function has spent a while suspended. Returns the directory.
    /// </summary>
    public static async Task<string> BlockAsync(string gateDirectory)
    {
        File.WriteAllText(Path.Combine(gateDirectory, Gate.StartedFile), "started");
        var release = Path.Combine(gateDirectory, Gate.ReleaseFile);
        var watch = Stopwatch.StartNew();
        // A deleted directory counts as released: the test has finished with the gate.
        for (int awaits = 1; !File.Exists(release) && Directory.Exists(gateDirectory); awaits++)
        {
            if (watch.Elapsed > MaxBlock)
            {
                throw new TimeoutException($"Gate {gateDirectory} was not released within {MaxBlock}.");
            }
            await Task.Delay(5);
            if (awaits == AwaitsBeforeMark)
            {
                File.WriteAllText(Path.Combine(gateDirectory, AwaitedFile), "awaited");
            }
        }
        return gateDirectory;
    }

    /// <summary>
    /// Marks the gate directory <paramref name="gateDirectory"/> as started, then waits (at most
    /// <see cref="MaxBlock"/>) until the test creates its release file. Returns the directory.
    /// </summary>
    public static string Block(string gateDirectory)
    {
        File.WriteAllText(Path.Combine(gateDirectory, Gate.StartedFile), "started");
        var release = Path.Combine(gateDirectory, Gate.ReleaseFile);
        var watch = Stopwatch.StartNew();
        var spinner = new SpinWait();
        // A deleted directory counts as released: the test has finished with the gate.
        while (!File.Exists(release) && Directory.Exists(gateDirectory))
        {
            if (watch.Elapsed > MaxBlock)
            {
                throw new TimeoutException($"Gate {gateDirectory} was not released within {MaxBlock}.");
            }
            spinner.SpinOnce(sleep1Threshold: 20);
        }
        return gateDirectory;
    }
}
