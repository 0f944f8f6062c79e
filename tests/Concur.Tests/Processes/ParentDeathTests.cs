using System.Globalization;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>
/// Tests that need a separate parent process: a <see cref="ChildProcess"/> plays the parent (it creates its own pool
/// or children), so the test can kill it or read its console.
/// </summary>
public sealed class ParentDeathTests
{
    private static int Pid() => Environment.ProcessId;

    /// <summary>Runs in the stand-in parent: starts a pool, publishes its worker pids, then blocks.</summary>
    internal static void StartPoolAndBlock(string dir)
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Task.WhenAll(pool.Submit(Pid), pool.Submit(Pid)).Wait();
        string temp = Path.Combine(dir, "pids.tmp");
        File.WriteAllText(temp, string.Join(',', pool.WorkerProcessIds));
        File.Move(temp, Path.Combine(dir, "pids"));
        Gate.WaitInWorker(dir);
    }

    /// <summary>Runs in the stand-in parent: a child and a pool worker print; the parent prints last.</summary>
    internal static void PrintFromChildren()
    {
        var child = new ChildProcess(() => Console.WriteLine($"hello from {ChildProcess.CurrentProcessName}"), name: "grandchild");
        child.Start();
        child.Join();
        using (var pool = new ProcessPoolExecutor(maxWorkers: 1))
        {
            pool.Submit(() => Console.WriteLine("hello from a pool worker")).Wait();
        }
        Console.WriteLine("parent done");
    }

    /// <summary>Runs in the stand-in parent: starts a grandchild blocked on the gate, publishes its pid, returns.</summary>
    internal static void StartGrandchildAndReturn(string dir, bool daemon)
    {
        var child = new ChildProcess(() => Gate.WaitInWorker(dir), name: "grandchild") { Daemon = daemon };
        child.Start();
        string temp = Path.Combine(dir, "pid.tmp");
        File.WriteAllText(temp, child.Pid!.Value.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, Path.Combine(dir, "pid"));
    }

    [Fact]
    public void ParentExitsNormally_DaemonChildIsKilled()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        var parent = new ChildProcess(() => StartGrandchildAndReturn(dir, true));
        parent.Start();
        Assert.True(parent.Join(Bounded.Limit));
        Assert.Equal(0, parent.ExitCode);
        int grandchild = int.Parse(File.ReadAllText(Path.Combine(dir, "pid")), CultureInfo.InvariantCulture);
        Bounded.Until(() => !Processes.IsAlive(grandchild), "the daemon grandchild is gone");
        Assert.False(File.Exists(gate.OpenPath));
    }

    [Fact]
    public void ParentExitsNormally_WaitsForNonDaemonChild()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        var parent = new ChildProcess(() => StartGrandchildAndReturn(dir, false));
        parent.Start();
        string pidPath = Path.Combine(dir, "pid");
        Bounded.Until(() => File.Exists(pidPath) || !parent.IsAlive, "the stand-in parent started its child");
        gate.WaitStarted();
        // Python joins non-daemon children at exit: the parent's body has returned, but it is still waiting.
        Assert.False(parent.Join(TimeSpan.FromMilliseconds(300)));
        gate.Open();
        Assert.True(parent.Join(Bounded.Limit));
        Assert.Equal(0, parent.ExitCode);
    }

    [Fact]
    public void ParentKilled_WorkersExitPromptly()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        var parent = new ChildProcess(() => StartPoolAndBlock(dir), name: "doomed-parent");
        parent.Start();
        string pidsPath = Path.Combine(dir, "pids");
        Bounded.Until(() => File.Exists(pidsPath) || !parent.IsAlive, "the stand-in parent published its worker pids");
        Assert.True(parent.IsAlive, $"the stand-in parent exited early with {parent.ExitCode}");
        int[] workers = File.ReadAllText(pidsPath).Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, workers.Length);
        Assert.All(workers, pid => Assert.True(Processes.IsAlive(pid)));

        parent.Kill();
        Assert.True(parent.Join(Bounded.Limit));
        Assert.Equal(-9, parent.ExitCode);
        Bounded.Until(() => workers.All(pid => !Processes.IsAlive(pid)), "the dead parent's workers are gone");
    }

    [Fact]
    public async Task ChildConsoleOutput_AppearsOnParentsConsole()
    {
        var parent = new ChildProcess(PrintFromChildren) { CaptureOutput = true };
        parent.Start();
        string output = await Bounded.Within(parent.StandardOutput!.ReadToEndAsync());
        Assert.True(parent.Join(Bounded.Limit));
        Assert.Equal(0, parent.ExitCode);
        Assert.Contains("hello from grandchild", output, StringComparison.Ordinal);
        Assert.Contains("hello from a pool worker", output, StringComparison.Ordinal);
        Assert.EndsWith("parent done", output.TrimEnd(), StringComparison.Ordinal);
    }
}
