using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Managers;

/// <summary>
/// Proxies in other processes: captured by a child, passed to pool tasks (captured and as the argument), and reached
/// from a process that has only the address and the key, over TCP and over a Unix socket.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ManagerAcrossProcessesTests(ManagerFixture fixture) : IClassFixture<ManagerFixture>
{
    private readonly ProcessManager _manager = fixture.Manager;

    [Fact]
    public void AChild_UsesTheProxiesItCaptured()
    {
        var dict = _manager.Dict<string, int>();
        var list = _manager.List<int>();
        var ns = _manager.Namespace();
        var tally = _manager.Share(new Tally(0));
        dict["from-parent"] = 1;
        var child = new ChildProcess(() =>
        {
            dict["from-child"] = dict["from-parent"] + 1;
            list.Add(ChildProcess.CurrentProcessId);
            ns.Set("name", ChildProcess.CurrentProcessName);
            tally.Invoke(t => t.Add(5));
        });
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal(2, dict["from-child"]);
        Assert.Equal([child.Pid!.Value], list.ToArray());
        Assert.Equal(child.Name, ns.Get<string>("name"));
        Assert.Equal(5, tally.Invoke(t => t.Total));
    }

    [Fact]
    public async Task PoolTasks_UseProxiesCapturedAndPassedAsArguments()
    {
        var counts = _manager.Dict<string, long>();
        var queue = _manager.Queue<int>();
        await using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var captured = Enumerable.Range(0, 10).Select(i => pool.Submit(() => counts.Increment("captured")));
        var passed = Enumerable.Range(0, 10).Select(i => pool.Submit(static d => d.Increment("passed"), counts));
        await Bounded.Within(Task.WhenAll(captured.Concat(passed)));
        await Bounded.Within(pool.Submit(static q => { q.Put(42); return 0; }, queue));
        Assert.Equal(10, counts["captured"]);
        Assert.Equal(10, counts["passed"]);
        Assert.Equal(42, queue.Get(Bounded.Limit));
    }

    [Fact]
    public void AProcessWithOnlyTheAddressAndKey_ConnectsOverTcp()
    {
        using var manager = ProcessManager.Start(new ProcessManagerOptions { Address = new IPEndPoint(IPAddress.Loopback, 0) });
        Assert.IsType<IPEndPoint>(manager.Address);
        var shared = manager.Dict<string, int>("shared");
        string address = manager.Address.ToString()!;
        byte[] key = manager.AuthKey;
        var child = ChildProcess.Create(static (string[] args) =>
        {
            using var remote = ProcessManager.Connect(IPEndPoint.Parse(args[0]), Convert.FromHexString(args[1]));
            remote.Dict<string, int>("shared")["tcp"] = 7;
        }, new[] { address, Convert.ToHexString(key) });
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal(7, shared["tcp"]);
    }

    [Fact]
    public void AProcessWithOnlyTheAddressAndKey_ConnectsOverAUnixSocket()
    {
        var shared = _manager.Dict<string, int>($"unix-{Guid.NewGuid():N}");
        string name = _manager.Address.ToString()![1..]; // the abstract name, printed with '@' for its NUL
        var child = ChildProcess.Create(static (string[] args) =>
        {
            using var remote = ProcessManager.Connect(new UnixDomainSocketEndPoint("\0" + args[0]), Convert.FromHexString(args[1]));
            remote.Dict<string, int>(args[2])["unix"] = 8;
        }, new[] { name, Convert.ToHexString(_manager.AuthKey), shared.ToString().Split('\'')[1] });
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal(8, shared["unix"]);
    }

    [Fact]
    public void AWrongKey_IsRefusedWithAClearError()
    {
        byte[] wrong = new byte[32];
        var refused = Assert.Throws<AuthenticationException>(() => ProcessManager.Connect(_manager.Address, wrong));
        Assert.Contains("process manager", refused.Message, StringComparison.Ordinal);
        using var right = ProcessManager.Connect(_manager.Address, _manager.AuthKey);
        Assert.Null(right.ProcessId);
        right.Dict<int, int>()[1] = 1;
    }

    [Fact]
    public void NothingListening_IsAClearError()
    {
        var gone = Assert.Throws<IOException>(() => ProcessManager.Connect(new UnixDomainSocketEndPoint("\0concur-no-such-manager"), new byte[32]));
        Assert.Contains("concur-no-such-manager", gone.Message, StringComparison.Ordinal);
    }
}
