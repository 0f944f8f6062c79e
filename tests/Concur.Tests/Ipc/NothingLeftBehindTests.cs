using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// Issue 9, point 7, for listeners: a process that listens and is killed by SIGKILL. With the default address (an
/// abstract Unix socket name on Linux) nothing is left: no file in the temporary folder, nothing in <c>/dev/shm</c>, no
/// entry in <c>/proc/net/unix</c>. With a path the caller chose, the socket file stays (the kernel never removes a
/// socket file), and listening there again is refused with a message that says it is stale and how to remove it.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class NothingLeftBehindTests
{
    [Fact]
    public async Task ChildWithADefaultListener_KilledBySigkill_LeavesNothing()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        await using var child = await ListeningChild.StartAsync(key, path: "");
        var address = Assert.IsType<UnixDomainSocketEndPoint>(child.Address);
        Assert.True(Concur.Ipc.Internal.Endpoints.IsAbstract(address));
        string name = address.ToString();
        Assert.StartsWith("@" + TempFolderCheck.PrefixOf(child.Pid), name, StringComparison.Ordinal);
        Assert.Contains(name, TempFolderCheck.BoundAbstractNames(child.Pid));

        using (Connection toChild = await Bounded.Within(Connection.ConnectAsync(address, key).AsTask()))
        {
            Assert.Equal(child.Pid, await Bounded.Within(toChild.ReceiveAsync<int>().AsTask())); // A real listener, with the key.
            await child.KillAsync();
            await Assert.ThrowsAsync<EndOfStreamException>(() => Bounded.Within(toChild.ReceiveAsync<int>().AsTask()));
        }

        // The process is gone (reaped): its descriptors were closed before it became a zombie, and the name with them.
        Assert.Empty(TempFolderCheck.BoundAbstractNames(child.Pid));
        Assert.DoesNotContain(name, TempFolderCheck.UnixSocketNames());
        Assert.Empty(TempFolderCheck.Leftovers(child.Pid));
        var e = Assert.Throws<IOException>(() => Connection.Connect(address, key));
        Assert.Contains("ConnectionRefused", e.Message, StringComparison.Ordinal);
        using var again = new ConnectionListener(address, key); // The name is free again.
    }

    [Fact]
    public async Task ChildWithAListenerAtAPath_KilledBySigkill_LeavesItsFile_WhichIsRefusedAsStale()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        string path = TempFolderCheck.NewSocketPath("killed");
        try
        {
            await using (var child = await ListeningChild.StartAsync(key, path))
            {
                Assert.Equal(path, child.Address.ToString());
                Assert.Contains(path, TempFolderCheck.UnixSocketNames());
                await child.KillAsync();
            }
            Assert.True(File.Exists(path)); // The user's path: the kernel does not remove a socket file.
            Assert.DoesNotContain(path, TempFolderCheck.UnixSocketNames());

            var e = Assert.Throws<IOException>(() => new ConnectionListener(new UnixDomainSocketEndPoint(path), key));
            Assert.Contains($"The file {path} is in the way and nothing listens on it", e.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(path)); // Refused, never replaced.
            File.Delete(path); // What the message tells the user to do.
            using var listener = new ConnectionListener(new UnixDomainSocketEndPoint(path), key);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs in the child: listens (<c>args = parent's address, key, path or ""</c>), tells the parent its address, accepts one client, sends it its pid and waits to be killed.</summary>
    private static void ListenAndWait(string[] args)
    {
        byte[] key = Convert.FromHexString(args[1]);
        using var listener = args[2].Length == 0
            ? new ConnectionListener(key)
            : new ConnectionListener(new UnixDomainSocketEndPoint(args[2]), key);
        using Connection parent = Connection.Connect(PythonInteropTests.Parse(args[0]), key);
        parent.Send(PythonInteropTests.Notation(listener.Address));
        using Connection client = listener.Accept();
        client.Send(Environment.ProcessId);
        parent.Receive<int>(); // Never comes: the parent kills this process.
    }

    /// <summary>A Concur child process running <see cref="ListenAndWait"/>, killed on dispose if still alive.</summary>
    private sealed class ListeningChild : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly ConnectionListener _parentListener;
        private Connection? _fromChild;

        private ListeningChild(ChildProcess process, ConnectionListener parentListener)
        {
            _process = process;
            _parentListener = parentListener;
        }

        public int Pid => _process.Pid ?? throw new InvalidOperationException("not started");

        public EndPoint Address { get; private set; } = null!;

        public static async Task<ListeningChild> StartAsync(byte[] key, string path)
        {
            // The parent listens on TCP, so that /proc/net/unix holds only the child's names.
            var parentListener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), key);
            var child = new ListeningChild(
                ChildProcess.Create(ListenAndWait, new[] { PythonInteropTests.Notation(parentListener.Address), Convert.ToHexString(key), path }),
                parentListener);
            try
            {
                child._process.Start();
                child._fromChild = await Bounded.Within(parentListener.AcceptAsync().AsTask());
                child.Address = PythonInteropTests.Parse(await Bounded.Within(child._fromChild.ReceiveAsync<string>().AsTask()));
                return child;
            }
            catch
            {
                await child.DisposeAsync();
                throw;
            }
        }

        /// <summary>Kills the child with SIGKILL and waits until it is gone (reaped).</summary>
        public async Task KillAsync()
        {
            _process.Kill();
            await Bounded.Within(_process.JoinAsync());
            Assert.False(_process.IsAlive);
        }

        public async ValueTask DisposeAsync()
        {
            if (_process.IsAlive)
            {
                await KillAsync();
            }
            _fromChild?.Dispose();
            _parentListener.Dispose();
        }
    }
}
