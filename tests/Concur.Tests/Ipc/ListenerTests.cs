using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// <see cref="ConnectionListener"/> and <see cref="Connection.Connect"/> between two .NET ends, on a Unix socket path
/// and on TCP loopback: the handshake, a wrong key, addresses, closing, and hostile length prefixes.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ListenerTests
{
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(32);

    public static TheoryData<string> Transports => new() { "unix", "tcp" };

    internal static EndPoint Address(string transport) => transport == "unix"
        ? new UnixDomainSocketEndPoint(TempFolderCheck.NewSocketPath("test"))
        : new IPEndPoint(IPAddress.Loopback, 0);

    [Theory]
    [MemberData(nameof(Transports))]
    public void Accept_Connect_WithTheSameKey_ExchangeTypedMessages(string transport)
    {
        using var listener = new ConnectionListener(Address(transport), s_key);
        Task<Connection> accepting = Task.Run(listener.Accept);
        using Connection client = Connection.Connect(listener.Address, s_key);
        using Connection server = Bounded.Result(accepting);

        client.Send(new Point(1, 2));
        Assert.Equal(new Point(1, 2), server.Receive<Point>());
        server.Send("thanks");
        Assert.Equal("thanks", client.Receive<string>());
        byte[] big = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var sending = Task.Run(() => client.SendBytes(big));
        Assert.Equal(big, server.ReceiveBytes());
        Bounded.Result(sending.ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default));

        client.Dispose();
        Assert.Throws<EndOfStreamException>(() => server.Receive<int>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AcceptAsync_ConnectAsync_WithTheSameKey_ExchangeMessages(string transport)
    {
        using var listener = new ConnectionListener(Address(transport), s_key);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        using Connection client = await Bounded.Within(Connection.ConnectAsync(listener.Address, s_key).AsTask());
        using Connection server = await Bounded.Within(accepting);
        await client.SendAsync(7);
        Assert.Equal(7, await Bounded.Within(server.ReceiveAsync<int>().AsTask()));
    }

    [Fact]
    public void Tcp_Port0_AddressShowsTheBoundPort()
    {
        using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), s_key);
        var bound = Assert.IsType<IPEndPoint>(listener.Address);
        Assert.NotEqual(0, bound.Port);
        Assert.Equal(IPAddress.Loopback, bound.Address);
        Assert.Contains(bound.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), listener.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WrongKey_RefusedOnBothSides_AndTheListenerGoesOn(string transport)
    {
        using var listener = new ConnectionListener(Address(transport), s_key);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        var client = await Assert.ThrowsAsync<AuthenticationException>(
            () => Bounded.Within(Connection.ConnectAsync(listener.Address, RandomNumberGenerator.GetBytes(32)).AsTask()));
        var server = await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(accepting));
        Assert.Contains("keys differ", client.Message, StringComparison.Ordinal);
        Assert.Contains("keys differ", server.Message, StringComparison.Ordinal);
        Assert.Contains("before any message was read", server.Message, StringComparison.Ordinal);

        // The listener is still open for the next client.
        Task<Connection> next = listener.AcceptAsync().AsTask();
        using Connection good = await Bounded.Within(Connection.ConnectAsync(listener.Address, s_key).AsTask());
        using Connection accepted = await Bounded.Within(next);
        good.Send(1);
        Assert.Equal(1, accepted.Receive<int>());
    }

    [Fact]
    public async Task WrongKey_NothingTheClientSentIsRead()
    {
        using var listener = new ConnectionListener(Address("unix"), s_key);
        // A raw client that answers the challenge with garbage and sends a "message" right after it.
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        await raw.ConnectAsync(listener.Address);
        byte[] challenge = await ReadFrameAsync(raw);
        Assert.StartsWith("#CHALLENGE#{sha256}", System.Text.Encoding.ASCII.GetString(challenge), StringComparison.Ordinal);
        Assert.Equal(11 + 8 + 40, challenge.Length);
        // One write for both, so the message is in the listener's buffer before it reads the answer (two writes race
        // with the listener closing the connection after the bad answer, and the second one can hit a closed socket).
        await raw.SendAsync((byte[])[.. Frame(new byte[16]), .. Frame(new byte[100])]);
        await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(accepting));
        Assert.Equal("#FAILURE#", System.Text.Encoding.ASCII.GetString(await ReadFrameAsync(raw)));
    }

    [Fact]
    public async Task KeyOnlyOnTheClient_RefusedWhenTheListenerDoesNotChallenge()
    {
        using var listener = new ConnectionListener(Address("unix"), authKey: null);
        Task<Connection> connecting = Connection.ConnectAsync(listener.Address, s_key).AsTask();
        Connection accepted = await Bounded.Within(listener.AcceptAsync().AsTask()); // no key: no handshake
        accepted.Dispose();
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(connecting));
        Assert.Contains("during the authentication handshake", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKeyOnEitherSide_ConnectsWithoutHandshake()
    {
        using var listener = new ConnectionListener(Address("tcp"), authKey: null);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        using Connection client = await Bounded.Within(Connection.ConnectAsync(listener.Address, authKey: null).AsTask());
        using Connection server = await Bounded.Within(accepting);
        client.SendBytes("#CHALLENGE#"u8);
        Assert.Equal("#CHALLENGE#"u8.ToArray(), server.ReceiveBytes());
    }

    [Fact]
    public void Listener_InTheTemporaryFolder_RemovesItsSocketFileOnDispose()
    {
        var listener = new ConnectionListener(s_key);
        string path = Assert.IsType<UnixDomainSocketEndPoint>(listener.Address).ToString();
        Assert.Equal(Path.GetTempPath(), Path.GetDirectoryName(path) + Path.DirectorySeparatorChar);
        Assert.StartsWith(TempFolderCheck.Prefix, Path.GetFileName(path), StringComparison.Ordinal);
        Assert.True(File.Exists(path));

        Task<Connection> accepting = Task.Run(listener.Accept);
        using (Connection client = Connection.Connect(listener.Address, s_key))
        using (Connection server = Bounded.Result(accepting))
        {
            client.Send(1);
            Assert.Equal(1, server.Receive<int>());
        }
        listener.Dispose();
        Assert.False(File.Exists(path));
        Assert.True(listener.IsClosed);
        listener.Close(); // twice: nothing
        Assert.DoesNotContain(path, TempFolderCheck.Leftovers());
    }

    [Fact]
    public void Listener_OnAPathThatExists_RefusesAndLeavesTheFile()
    {
        string path = TempFolderCheck.NewSocketPath("taken");
        File.WriteAllText(path, "not a socket");
        try
        {
            var e = Assert.Throws<IOException>(() => new ConnectionListener(new UnixDomainSocketEndPoint(path), s_key));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Equal("not a socket", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Connect_WhereNothingListens_ThrowsIOException()
    {
        string path = TempFolderCheck.NewSocketPath("nobody");
        var e = Assert.Throws<IOException>(() => Connection.Connect(new UnixDomainSocketEndPoint(path), s_key));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Connection.Connect(new DnsEndPointLike(), s_key));
    }

    [Fact]
    public void Dispose_WhileAnotherThreadAccepts_EndsItWithObjectDisposed()
    {
        var listener = new ConnectionListener(Address("unix"), s_key);
        Exception? error = null;
        var accepting = new Thread(() => error = Record.Exception(() => listener.Accept())) { Name = "ipc-accept", IsBackground = true };
        accepting.Start();
        Bounded.Until(() => BlockedThreads.IsAsleep("ipc-accept"), "the accepting thread blocks in the kernel");
        listener.Dispose();
        Bounded.Join(accepting);
        Assert.IsType<ObjectDisposedException>(error);
        Assert.Throws<ObjectDisposedException>(() => listener.Accept());
    }

    [Fact]
    public async Task Dispose_WhileAcceptAsyncWaits_EndsItWithObjectDisposed()
    {
        var listener = new ConnectionListener(Address("tcp"), s_key);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        listener.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Bounded.Within(accepting));
    }

    [Fact]
    public async Task Receive_LargerThanTheListenersLimit_RefusedNamingSizeAndSetting()
    {
        using var listener = new ConnectionListener(Address("unix"), s_key, maxMessageSize: 1000);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        using Connection client = await Bounded.Within(Connection.ConnectAsync(listener.Address, s_key).AsTask());
        using Connection server = await Bounded.Within(accepting);
        Assert.Equal(1000, server.MaxMessageSize);
        client.SendBytes(new byte[2000]);
        var e = Assert.Throws<InvalidDataException>(() => server.ReceiveBytes());
        Assert.Contains("2,000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("1,000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("maxMessageSize", e.Message, StringComparison.Ordinal);
        var again = Assert.Throws<InvalidOperationException>(() => server.ReceiveBytes());
        Assert.Contains("can no longer receive", again.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2_000_000_000L, "2,000,000,000")]
    [InlineData(1L << 40, "1,099,511,627,776")]
    public async Task Receive_AHostileLengthPrefix_IsRefusedWithoutAllocatingIt(long claimed, string shown)
    {
        using var listener = new ConnectionListener(Address("unix"), authKey: null);
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        await raw.ConnectAsync(listener.Address);
        using Connection server = await Bounded.Within(accepting);
        byte[] header = new byte[12];
        int size = 4;
        if (claimed <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32BigEndian(header, (int)claimed);
        }
        else
        {
            BinaryPrimitives.WriteInt32BigEndian(header, -1);
            BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(4), (ulong)claimed);
            size = 12;
        }
        await raw.SendAsync(header.AsMemory(0, size));
        Assert.True(server.Poll(Bounded.Limit));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => server.ReceiveBytes());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(shown + " bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1024 * 1024, $"The refused receive allocated {allocated:N0} bytes.");
    }

    [Fact]
    public async Task Receive_ANegativeLengthPrefix_IsRefused()
    {
        using var listener = new ConnectionListener(Address("unix"), authKey: null);
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        await raw.ConnectAsync(listener.Address);
        using Connection server = await Bounded.Within(accepting);
        await raw.SendAsync(new byte[] { 0xff, 0xff, 0xff, 0xfb });
        var e = Assert.Throws<InvalidDataException>(() => server.ReceiveBytes());
        Assert.Contains("-5", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] Frame(byte[] body)
    {
        byte[] frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    internal static async Task<byte[]> ReadFrameAsync(Socket socket)
    {
        byte[] header = new byte[4];
        await ReadExactlyAsync(socket, header);
        byte[] body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await ReadExactlyAsync(socket, body);
        return body;
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(Bounded.Limit);
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            total += n;
        }
    }

    /// <summary>An address of a kind a connection cannot use.</summary>
    private sealed class DnsEndPointLike : EndPoint;
}
