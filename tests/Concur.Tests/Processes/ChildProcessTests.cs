using System.Globalization;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

public sealed class FileWritingChild : ChildProcess
{
    public string Path { get; set; } = string.Empty;

    public int Value { get; set; }

    protected override void Run() => File.WriteAllText(Path, $"{Value}:{CurrentProcessName}:{CurrentProcessId}");
}

public sealed class ChildProcessTests
{
    private static void Throw() => throw new InvalidOperationException("child failed");

    private static void WaitForGate(string dir) => Gate.WaitInWorker(dir);

    private static int ReadPid(Gate gate) => int.Parse(File.ReadAllText(gate.StartedPath), CultureInfo.InvariantCulture);

    [Fact]
    public void Start_Delegate_RunsInChildAndExitsZero()
    {
        using var gate = new Gate();
        string marker = gate.Marker("ran");
        var child = new ChildProcess(() => File.WriteAllText(marker, ChildProcess.CurrentProcessName + ":" + ChildProcess.CurrentProcessId), name: "worker-a");
        Assert.Null(child.Pid);
        Assert.Null(child.ExitCode);
        child.Start();
        Assert.NotNull(child.Pid);
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.False(child.IsAlive);
        Assert.Equal($"worker-a:{child.Pid}", File.ReadAllText(marker));
    }

    [Fact]
    public void Start_Subclass_StateTravelsAndRunOverrideRuns()
    {
        using var gate = new Gate();
        var child = new FileWritingChild { Path = gate.Marker("out"), Value = 17, Name = "writer" };
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal($"17:writer:{child.Pid}", File.ReadAllText(gate.Marker("out")));
    }

    [Fact]
    public void Start_TargetThrows_ExitCodeOne()
    {
        var child = new ChildProcess(Throw);
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(1, child.ExitCode);
    }

    [Fact]
    public void Start_TargetExits_ExitCodeKept()
    {
        var child = new ChildProcess(() => Environment.Exit(7));
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(7, child.ExitCode);
    }

    [Fact]
    public void Join_Timeout_ReturnsFalseWhileRunning()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        var child = new ChildProcess(() => WaitForGate(dir));
        child.Start();
        gate.WaitStarted();
        Assert.False(child.Join(TimeSpan.FromMilliseconds(50)));
        Assert.True(child.IsAlive);
        Assert.Contains(child, ChildProcess.ActiveChildren());
        gate.Open();
        Assert.True(child.Join(Bounded.Limit));
        Assert.DoesNotContain(child, ChildProcess.ActiveChildren());
    }

    [Fact]
    public void Terminate_RunningChild_ExitCodeMinus15()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        var child = new ChildProcess(() => WaitForGate(dir));
        child.Start();
        gate.WaitStarted();
        child.Terminate();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(-15, child.ExitCode);
    }

    [Fact]
    public async Task Kill_RunningChild_ExitCodeMinus9()
    {
        using var gate = new Gate();
        string dir = gate.Directory;
        var child = new ChildProcess(() => WaitForGate(dir)) { Daemon = true };
        child.Start();
        gate.WaitStarted();
        child.Kill();
        await Bounded.Within(child.JoinAsync());
        Assert.Equal(-9, child.ExitCode);
        Assert.False(Processes.IsAlive(ReadPid(gate)));
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        var child = new ChildProcess(() => { });
        child.Start();
        Assert.Throws<InvalidOperationException>(child.Start);
        Assert.Throws<InvalidOperationException>(() => child.Daemon = true);
        Assert.True(child.Join(Bounded.Limit));
    }

    [Fact]
    public void Join_BeforeStart_Throws()
    {
        var child = new ChildProcess(() => { });
        Assert.Throws<InvalidOperationException>(() => child.Join(TimeSpan.FromSeconds(1)));
        Assert.Throws<InvalidOperationException>(child.Kill);
        Assert.Contains("initial", child.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnsendableTarget_Throws()
    {
        using var stream = new MemoryStream();
        var e = Assert.Throws<ArgumentException>(() => new ChildProcess(() => stream.WriteByte(1)));
        Assert.Contains("'stream'", e.Message, StringComparison.Ordinal);
    }
}

public sealed class ChildProcessArgumentTests
{
    private static void WriteTo(string path) => File.WriteAllText(path, ChildProcess.CurrentProcessName);

    [Fact]
    public void Create_WithArgument_RunsTargetWithIt()
    {
        using var gate = new Gate();
        string path = gate.Marker("arg");
        var child = ChildProcess.Create(WriteTo, path, name: "with-arg");
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal("with-arg", File.ReadAllText(path));
    }

    [Fact]
    public void Create_ArgumentNotSendable_ThrowsAtCreate()
    {
        Assert.Throws<ArgumentException>(() => ChildProcess.Create(static (object o) => { }, (object)new Uri("http://example.invalid")));
    }
}
