using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// A peer process killed with SIGKILL: the other end's receive ends with <see cref="EndOfStreamException"/>, at
/// once, whether it was waiting for a message or in the middle of one. Never a hang.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class PeerDeathTests
{
    [Fact]
    public async Task PythonClientKilled_WhileTheListenerSideWaits_EndOfFile()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(key);
        await using var peer = PythonPeer.Start("python3", PythonScripts.Client, PythonInteropTests.Notation(listener.Address), Convert.ToHexString(key), "hold");
        using Connection connection = await Bounded.Within(listener.AcceptAsync().AsTask());
        Assert.Equal("ready"u8.ToArray(), connection.ReceiveBytes());

        Task<byte[]> waiting = Task.Run(() => connection.ReceiveBytes()); // blocked: Python sends nothing more
        Task<bool> polling = connection.PollAsync(Timeout.InfiniteTimeSpan).AsTask();
        await peer.KillAsync();
        var e = await Assert.ThrowsAsync<EndOfStreamException>(() => Bounded.Within(waiting));
        Assert.Contains("closed the connection (or its process ended)", e.Message, StringComparison.Ordinal);
        Assert.True(await Bounded.Within(polling));
        Assert.Throws<IOException>(() => connection.SendBytes(new byte[1024 * 1024]));
    }

    [Fact]
    public async Task PythonClientKilled_InTheMiddleOfAMessage_EndOfFileSaysHowMuchArrived()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), key);
        await using var peer = PythonPeer.Start("python3", PythonScripts.Client, PythonInteropTests.Notation(listener.Address), Convert.ToHexString(key), "torn");
        using Connection connection = await Bounded.Within(listener.AcceptAsync().AsTask());
        Assert.True(connection.Poll(Bounded.Limit)); // The header of a 1000-byte message and 10 of its bytes.
        await peer.KillAsync();
        var e = Assert.Throws<EndOfStreamException>(() => connection.ReceiveBytes());
        Assert.Contains("in the middle of a message: 10 of its 1,000 bytes had arrived", e.Message, StringComparison.Ordinal);
        Assert.Throws<EndOfStreamException>(() => connection.ReceiveBytes());
    }

    [Fact]
    public async Task ConcurChildKilled_WhileTheListenerSideWaits_EndOfFile()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(key);
        var child = ChildProcess.Create(ConnectAndWait, new[] { PythonInteropTests.Notation(listener.Address), Convert.ToHexString(key) });
        child.Start();
        try
        {
            using Connection connection = await Bounded.Within(listener.AcceptAsync().AsTask());
            Assert.Equal(child.Pid, connection.Receive<int>());
            Task<int> waiting = connection.ReceiveAsync<int>().AsTask();
            child.Kill();
            await Assert.ThrowsAsync<EndOfStreamException>(() => Bounded.Within(waiting));
            Assert.True(child.Join(Bounded.Limit));
        }
        finally
        {
            if (child.IsAlive)
            {
                child.Kill();
                child.Join(Bounded.Limit);
            }
        }
    }

    /// <summary>Runs in the child: connects, says who it is, and waits for a message that never comes.</summary>
    private static void ConnectAndWait(string[] args)
    {
        using Connection connection = Connection.Connect(PythonInteropTests.Parse(args[0]), Convert.FromHexString(args[1]));
        connection.Send(Environment.ProcessId);
        connection.Receive<int>();
    }
}
