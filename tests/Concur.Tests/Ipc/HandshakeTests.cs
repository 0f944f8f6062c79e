using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// The handshake at the byte level, against a hand-written peer that follows CPython's protocol description: a
/// challenge naming another digest is answered with that digest, a legacy 20-byte challenge with a bare HMAC-MD5,
/// and a legacy HMAC-MD5 answer to Concur's <c>{sha256}</c> challenge is accepted, as CPython 3.12 accepts it.
/// </summary>
[Collection(IpcCollection.Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "HMAC-MD5 is the legacy protocol under test.")]
public sealed class HandshakeTests
{
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(24);

    [Theory]
    [InlineData("{sha384}", 40)]   // a modern listener that prefers another digest
    [InlineData("{sha256}", 40)]
    [InlineData("", 20)]           // a legacy (3.11) listener: 20 bytes, no name, HMAC-MD5
    public async Task Client_AnswersTheDigestTheChallengeNames_AndAcceptsALegacyAnswer(string prefix, int randomLength)
    {
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        string path = TempFolderCheck.NewSocketPath("hs");
        server.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            server.Listen(1);
            Task<Connection> connecting = Connection.ConnectAsync(new UnixDomainSocketEndPoint(path), s_key).AsTask();
            using Socket peer = await server.AcceptAsync().WaitAsync(Bounded.Limit);

            // Deliver a challenge, as the listener.
            byte[] message = [.. Encoding.ASCII.GetBytes(prefix), .. RandomNumberGenerator.GetBytes(randomLength)];
            await peer.SendAsync(ListenerTests.Frame([.. "#CHALLENGE#"u8.ToArray(), .. message]));
            byte[] answer = await ListenerTests.ReadFrameAsync(peer);
            byte[] expected = prefix switch
            {
                "{sha384}" => [.. Encoding.ASCII.GetBytes(prefix), .. HMACSHA384.HashData(s_key, message)],
                "{sha256}" => [.. Encoding.ASCII.GetBytes(prefix), .. HMACSHA256.HashData(s_key, message)],
                _ => HMACMD5.HashData(s_key, message),
            };
            Assert.Equal(expected, answer);
            await peer.SendAsync(ListenerTests.Frame("#WELCOME#"u8.ToArray()));

            // Answer the client's challenge as a 3.11 peer does: a bare HMAC-MD5 of all of it.
            byte[] challenge = await ListenerTests.ReadFrameAsync(peer);
            Assert.StartsWith("#CHALLENGE#{sha256}", Encoding.ASCII.GetString(challenge), StringComparison.Ordinal);
            await peer.SendAsync(ListenerTests.Frame(HMACMD5.HashData(s_key, challenge.AsSpan(11))));
            Assert.Equal("#WELCOME#", Encoding.ASCII.GetString(await ListenerTests.ReadFrameAsync(peer)));

            using Connection connection = await Bounded.Within(connecting);
            connection.SendBytes("after"u8);
            Assert.Equal("after", Encoding.ASCII.GetString(await ListenerTests.ReadFrameAsync(peer)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{md4}")]     // not a digest CPython allows
    [InlineData("{sha256")]   // no closing brace
    public async Task Client_RefusesAChallengeNamingNoKnownDigest(string prefix)
    {
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        string path = TempFolderCheck.NewSocketPath("hs");
        server.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            server.Listen(1);
            Task<Connection> connecting = Connection.ConnectAsync(new UnixDomainSocketEndPoint(path), s_key).AsTask();
            using Socket peer = await server.AcceptAsync().WaitAsync(Bounded.Limit);
            await peer.SendAsync(ListenerTests.Frame([.. "#CHALLENGE#"u8.ToArray(), .. Encoding.ASCII.GetBytes(prefix), .. new byte[40]]));
            var e = await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(connecting));
            Assert.Contains("names no digest", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Listener_RefusesAnAnswerNamingAnotherDigestWithAWrongMac()
    {
        using var listener = new ConnectionListener(ListenerTests.Address("unix"), s_key);
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        await raw.ConnectAsync(listener.Address);
        byte[] challenge = await ListenerTests.ReadFrameAsync(raw);
        // A downgrade attempt: the right MAC under sha384 would pass; a sha256 MAC labelled sha384 must not.
        byte[] forged = [.. "{sha384}"u8.ToArray(), .. HMACSHA256.HashData(s_key, challenge.AsSpan(11)), .. new byte[16]];
        await raw.SendAsync(ListenerTests.Frame(forged));
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => Bounded.Within(accepting));
        Assert.Contains("keys differ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APeerThatSaysNothing_EndsTheHandshakeWithTimeout_NeverAHang()
    {
        TimeSpan shortly = TimeSpan.FromMilliseconds(300);
        using var listener = new ConnectionListener(ListenerTests.Address("unix"), s_key) { HandshakeTimeout = shortly };
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Connection> accepting = Task.Run(listener.Accept); // the blocking Accept
        await silent.ConnectAsync(listener.Address);
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(accepting));
        Assert.Contains("did not complete the authentication handshake within 0.3 s", e.Message, StringComparison.Ordinal);

        using var silent2 = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Task<Connection> acceptingAsync = listener.AcceptAsync().AsTask();
        await silent2.ConnectAsync(listener.Address);
        await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(acceptingAsync));

        // A listener without a key never challenges: a client with one gives up in time, blocking or not.
        using var keyless = new ConnectionListener(ListenerTests.Address("tcp"), authKey: null);
        foreach (bool sync in new[] { true, false })
        {
            Task<Connection> accepted = keyless.AcceptAsync().AsTask();
            Task<Connection> connecting = Task.Run(() =>
                Connection.ConnectCore(keyless.Address, s_key, Connection.DefaultMaxMessageSize, shortly, sync, default).AsTask());
            await Assert.ThrowsAsync<TimeoutException>(() => Bounded.Within(connecting));
            (await Bounded.Within(accepted)).Dispose();
        }
        Assert.Equal(TimeSpan.FromSeconds(20), Concur.Ipc.Internal.Handshake.DefaultTimeout);
    }
}
