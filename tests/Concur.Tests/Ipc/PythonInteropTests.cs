using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// Concur's connections against the real CPython of this machine, both ways, on a Unix socket file, on an abstract
/// Unix socket name (Linux; Python takes it as a str starting with <c>"\0"</c>) and on TCP:
/// <c>python3</c> (3.11, the legacy HMAC-MD5 handshake) and every CPython 3.12 or later found (the modern
/// <c>{sha256}</c> one). Python uses <c>multiprocessing.connection</c> as written, with <c>send_bytes</c>/<c>recv_bytes</c>.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class PythonInteropTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string python in PythonPeer.Interpreters())
        {
            data.Add(python, "unix");
            data.Add(python, "abstract");
            data.Add(python, "tcp");
        }
        return data;
    }

    public static TheoryData<string> Interpreters() => PythonPeer.Interpreters();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PythonClient_TalksToAConcurListener(string python, string transport)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(ListenerTests.Address(transport), key);
        await using var peer = PythonPeer.Start(python, PythonScripts.Client, Notation(listener.Address), Convert.ToHexString(key), "echo");
        using (Connection connection = await Bounded.Within(listener.AcceptAsync().AsTask()))
        {
            Assert.Equal("connected", await peer.ReadLineAsync());
            await Exchange(connection);
        }
        await peer.ExpectExitAsync(0); // It saw end of file when the connection closed.
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ConcurClient_TalksToAPythonListener(string python, string transport)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        string spec = transport switch
        {
            "unix" => "unix:" + TempFolderCheck.NewSocketPath("py"),
            "abstract" => "abstract:" + TempFolderCheck.NewAbstractName("py"),
            _ => "tcp",
        };
        await using var peer = PythonPeer.Start(python, PythonScripts.Listener, spec, Convert.ToHexString(key));
        EndPoint address = Parse(await peer.ReadLineAsync());
        using (Connection connection = await Bounded.Within(Connection.ConnectAsync(address, key).AsTask()))
        {
            await Exchange(connection);
        }
        await peer.ExpectExitAsync(0);
        if (transport == "unix")
        {
            Assert.False(File.Exists(address.ToString())); // Python's Listener removed its socket file.
        }
        else if (transport == "abstract")
        {
            Assert.Equal(spec, Notation(address));
            Assert.DoesNotContain(address.ToString()!, TempFolderCheck.UnixSocketNames()); // Freed when Python closed it.
        }
    }

    [Theory]
    [MemberData(nameof(Interpreters))]
    public async Task PythonClient_WithAnotherKey_IsRefused_AndPythonIsToldSo(string python)
    {
        using var listener = new ConnectionListener(ListenerTests.Address("unix"), RandomNumberGenerator.GetBytes(32));
        await using var peer = PythonPeer.Start(python, PythonScripts.Client, Notation(listener.Address), Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), "echo");
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(listener.AcceptAsync().AsTask()));
        Assert.Contains("keys differ", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("AuthenticationError: digest sent was rejected", await peer.ReadLineAsync(), StringComparison.Ordinal);
        await peer.ExpectExitAsync(3);
    }

    [Theory]
    [MemberData(nameof(Interpreters))]
    public async Task ConcurClient_WithAnotherKey_IsRefusedByAPythonListener(string python)
    {
        await using var peer = PythonPeer.Start(python, PythonScripts.Listener, "tcp", Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        EndPoint address = Parse(await peer.ReadLineAsync());
        var e = await Assert.ThrowsAsync<AuthenticationException>(
            () => Bounded.Within(Connection.ConnectAsync(address, RandomNumberGenerator.GetBytes(32)).AsTask()));
        Assert.Contains("keys differ", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("AuthenticationError: digest received was wrong", await peer.ReadLineAsync(), StringComparison.Ordinal);
        await peer.ExpectExitAsync(3);
    }

    [Fact]
    public async Task PythonClientOfAnotherUser_IsRefusedByADefaultListener_BeforeTheHandshake()
    {
        // Root's Python drops to user "nobody" (65534) before it connects; a run as another user cannot, and has nothing to check.
        if (Environment.UserName != "root")
        {
            return;
        }
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(key);
        string name = Notation(listener.Address)["abstract:".Length..];
        await using (var peer = PythonPeer.Start("python3", PythonScripts.OtherUserClient, name, Convert.ToHexString(key)))
        {
            var e = await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(listener.AcceptAsync().AsTask()));
            Assert.Contains("runs as user 65534", e.Message, StringComparison.Ordinal);
            Assert.Contains("before the handshake", e.Message, StringComparison.Ordinal);
            Assert.Equal("EOFError", await peer.ReadLineAsync()); // No challenge: the connection was closed.
            await peer.ExpectExitAsync(4);
        }

        // The listener stays open for a client of its own user.
        await using var good = PythonPeer.Start("python3", PythonScripts.Client, Notation(listener.Address), Convert.ToHexString(key), "echo");
        using (Connection connection = await Bounded.Within(listener.AcceptAsync().AsTask()))
        {
            Assert.Equal("connected", await good.ReadLineAsync());
            await Exchange(connection);
        }
        await good.ExpectExitAsync(0);
    }

    /// <summary>Messages of several sizes both ways: Python answers each with <c>python:</c> and the message.</summary>
    private static async Task Exchange(Connection connection)
    {
        connection.SendBytes("hello"u8);
        Assert.Equal("python:hello", Encoding.ASCII.GetString(await Bounded.Within(connection.ReceiveBytesAsync().AsTask())));
        connection.SendBytes([]);
        Assert.Equal("python:"u8.ToArray(), await Bounded.Within(connection.ReceiveBytesAsync().AsTask()));
        byte[] big = RandomNumberGenerator.GetBytes(2 * 1024 * 1024); // above Python's 16 KiB split and the socket buffer
        Task sending = connection.SendBytesAsync(big).AsTask();
        byte[] back = await Bounded.Within(connection.ReceiveBytesAsync().AsTask());
        await Bounded.Within(sending);
        Assert.Equal("python:"u8.ToArray(), back[..7]);
        Assert.True(big.AsSpan().SequenceEqual(back.AsSpan(7)));
    }

    /// <summary>
    /// Writes an address for a Python script (or a child process): <c>unix:PATH</c>, <c>abstract:NAME</c> (an abstract
    /// Unix socket name without its leading NUL, which .NET prints as <c>@</c>), or <c>tcp:HOST:PORT</c>.
    /// </summary>
    internal static string Notation(EndPoint address) => address switch
    {
        UnixDomainSocketEndPoint unix when Concur.Ipc.Internal.Endpoints.IsAbstract(unix) => "abstract:" + unix.ToString()[1..],
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        IPEndPoint ip => $"tcp:{ip.Address}:{ip.Port}",
        _ => throw new ArgumentException(address.ToString()),
    };

    /// <summary>Reads an address written by <see cref="Notation"/> or by a Python script.</summary>
    internal static EndPoint Parse(string notation)
    {
        if (notation.StartsWith("unix:", StringComparison.Ordinal))
        {
            return new UnixDomainSocketEndPoint(notation[5..]);
        }
        if (notation.StartsWith("abstract:", StringComparison.Ordinal))
        {
            return new UnixDomainSocketEndPoint("\0" + notation[9..]);
        }
        Assert.StartsWith("tcp:", notation, StringComparison.Ordinal);
        return IPEndPoint.Parse(notation[4..]);
    }
}
