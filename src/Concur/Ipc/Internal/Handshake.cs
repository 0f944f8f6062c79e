using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;

namespace Concur.Ipc.Internal;

/// <summary>
/// CPython's authentication handshake for <c>multiprocessing.connection</c> (3.12 and later, and the legacy one of
/// 3.11 and older), both roles: each side proves it holds the key by answering the other's random challenge with an
/// HMAC of it, before a single message is exchanged.
/// </summary>
/// <remarks>
/// <code>
///   listener (Accept)                                   client (Connect)
///   deliver:  [#CHALLENGE#{sha256}&lt;40 random bytes&gt;]  ──►  answer: HMAC-SHA256(key, {sha256}&lt;random&gt;)
///             verify ◄── [{sha256}&lt;32-byte MAC&gt;]            (a 3.11 client: a bare 16-byte HMAC-MD5 of it)
///             [#WELCOME#] or [#FAILURE#]              ──►  anything but #WELCOME#: refused
///   answer:   the same, with the roles swapped        ◄──  deliver
/// </code>
/// <para>
/// Every message is framed as any other (4-byte big-endian length) and at most <see cref="MaxMessageLength"/> bytes
/// long, as CPython's <c>recv_bytes(256)</c> enforces. A challenge of exactly 20 bytes comes from a legacy peer and is
/// answered with a bare HMAC-MD5; an answer of exactly 16 bytes is a legacy HMAC-MD5 of the whole challenge, which
/// CPython 3.12 accepts and so does Concur: that is how a 3.12 listener and a 3.11 client still agree. The MAC always
/// covers the whole challenge, <c>{sha256}</c> prefix included. Comparison is in constant time.
/// </para>
/// </remarks>
internal static class Handshake
{
    /// <summary>The longest handshake message accepted (CPython's <c>recv_bytes(256)</c>).</summary>
    public const int MaxMessageLength = 256;

    /// <summary>The random part of a challenge (CPython 3.12's <c>MESSAGE_LENGTH</c>; it must exceed the legacy 20).</summary>
    public const int RandomLength = 40;

    /// <summary>
    /// How long the whole handshake may take: CPython's <c>CONNECTION_TIMEOUT</c>, "a very generous timeout when it
    /// comes to local connections". A peer that connects and says nothing cannot hold an Accept for ever.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static ReadOnlySpan<byte> ChallengeTag => "#CHALLENGE#"u8;

    private static ReadOnlySpan<byte> Welcome => "#WELCOME#"u8;

    private static ReadOnlySpan<byte> Failure => "#FAILURE#"u8;

    /// <summary>Runs the handshake on a fresh connection: the listener challenges first, the client answers first.</summary>
    /// <exception cref="AuthenticationException">The keys differ, or the other end does not speak this protocol.</exception>
    /// <exception cref="TimeoutException">The handshake did not finish within <paramref name="timeout"/>.</exception>
    public static async ValueTask RunCore(MessageSocket socket, byte[] key, bool asListener, TimeSpan timeout, bool sync, CancellationToken cancellationToken)
    {
        using var deadline = sync ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline?.CancelAfter(timeout);
        CancellationToken token = deadline?.Token ?? default;
        if (sync)
        {
            socket.Socket.ReceiveTimeout = socket.Socket.SendTimeout = (int)timeout.TotalMilliseconds;
        }
        try
        {
            if (asListener)
            {
                await DeliverChallengeCore(socket, key, sync, token).ConfigureAwait(false);
                await AnswerChallengeCore(socket, key, sync, token).ConfigureAwait(false);
            }
            else
            {
                await AnswerChallengeCore(socket, key, sync, token).ConfigureAwait(false);
                await DeliverChallengeCore(socket, key, sync, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(socket, timeout, e);
        }
        catch (TimeoutException e)
        {
            throw TimedOut(socket, timeout, e);
        }
        catch (InvalidDataException e)
        {
            throw new AuthenticationException(
                $"{socket.Peer} does not speak the connection handshake: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new AuthenticationException(
                $"{socket.Peer} closed the connection during the authentication handshake (did it refuse this end's key, " +
                $"or does it use none?). {e.Message}", e);
        }
        finally
        {
            if (sync && !socket.IsClosed)
            {
                socket.Socket.ReceiveTimeout = socket.Socket.SendTimeout = 0;
            }
        }
    }

    /// <summary>Sends a challenge and checks the answer (CPython's <c>deliver_challenge</c>).</summary>
    private static async ValueTask DeliverChallengeCore(MessageSocket socket, byte[] key, bool sync, CancellationToken cancellationToken)
    {
        byte[] prefix = Encoding.ASCII.GetBytes("{" + ChallengeDigest.Preferred + "}");
        byte[] challenge = new byte[ChallengeTag.Length + prefix.Length + RandomLength];
        ChallengeTag.CopyTo(challenge);
        prefix.CopyTo(challenge.AsSpan(ChallengeTag.Length));
        RandomNumberGenerator.Fill(challenge.AsSpan(ChallengeTag.Length + prefix.Length));
        await socket.SendUncheckedCore(challenge, sync, cancellationToken).ConfigureAwait(false);

        byte[] answer = await socket.ReceiveSmallCore(MaxMessageLength, sync, cancellationToken).ConfigureAwait(false);
        if (Verify(key, challenge.AsSpan(ChallengeTag.Length), answer) is string problem)
        {
            try
            {
                await socket.SendUncheckedCore(Failure.ToArray(), sync, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException)
            {
                // The refusal is a courtesy; the exception below is what counts.
            }
            throw new AuthenticationException(
                $"{socket.Peer} failed authentication: {problem}. The connection was closed before any message was read from it.");
        }
        await socket.SendUncheckedCore(Welcome.ToArray(), sync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers a challenge and reads the verdict (CPython's <c>answer_challenge</c>).</summary>
    private static async ValueTask AnswerChallengeCore(MessageSocket socket, byte[] key, bool sync, CancellationToken cancellationToken)
    {
        byte[] received = await socket.ReceiveSmallCore(MaxMessageLength, sync, cancellationToken).ConfigureAwait(false);
        if (!received.AsSpan().StartsWith(ChallengeTag))
        {
            throw new AuthenticationException(
                $"{socket.Peer} did not open the handshake with a challenge, so it does not use an authentication key " +
                "(or is not a multiprocessing.connection peer); give both ends the same key, or neither.");
        }
        ReadOnlySpan<byte> challenge = received.AsSpan(ChallengeTag.Length);
        if (challenge.Length < ChallengeDigest.LegacyChallengeLength)
        {
            throw new AuthenticationException($"{socket.Peer} sent a challenge of {challenge.Length} bytes; at least 20 are required.");
        }
        await socket.SendUncheckedCore(Respond(socket, key, challenge), sync, cancellationToken).ConfigureAwait(false);

        byte[] verdict = await socket.ReceiveSmallCore(MaxMessageLength, sync, cancellationToken).ConfigureAwait(false);
        if (verdict.AsSpan().SequenceEqual(Welcome))
        {
            return;
        }
        throw new AuthenticationException(verdict.AsSpan().SequenceEqual(Failure)
            ? $"{socket.Peer} refused this end's authentication key: the keys differ. The connection was closed before any message was read from it."
            : $"{socket.Peer} answered the handshake with neither #WELCOME# nor #FAILURE#; it does not speak this protocol.");
    }

    /// <summary>Builds the answer to <paramref name="challenge"/> (CPython's <c>_create_response</c>).</summary>
    private static byte[] Respond(MessageSocket socket, byte[] key, ReadOnlySpan<byte> challenge)
    {
        if (ChallengeDigest.Parse(challenge) is not var (name, _))
        {
            throw new AuthenticationException(
                $"{socket.Peer} sent a challenge that names no digest this end knows (md5, sha256, sha384, sha3_256, sha3_384).");
        }
        byte[] mac = ChallengeDigest.Mac(name, key, challenge);
        if (ChallengeDigest.IsLegacy(challenge))
        {
            return mac; // A legacy listener expects a bare HMAC-MD5.
        }
        byte[] prefix = Encoding.ASCII.GetBytes("{" + name + "}");
        return [.. prefix, .. mac];
    }

    /// <summary>Checks <paramref name="answer"/> against <paramref name="challenge"/>; returns what is wrong, or <see langword="null"/> (CPython's <c>_verify_challenge</c>).</summary>
    private static string? Verify(byte[] key, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> answer)
    {
        if (ChallengeDigest.Parse(answer) is not var (name, prefixLength))
        {
            return "its answer to the challenge names no digest this end knows, or has a length no digest has";
        }
        byte[] expected = ChallengeDigest.Mac(name, key, challenge);
        ReadOnlySpan<byte> mac = answer[prefixLength..];
        return mac.Length == expected.Length && CryptographicOperations.FixedTimeEquals(expected, mac)
            ? null
            : "its answer to the challenge was made with another key (the authentication keys differ)";
    }

    private static TimeoutException TimedOut(MessageSocket socket, TimeSpan timeout, Exception inner) =>
        new($"{socket.Peer} did not complete the authentication handshake within {timeout.TotalSeconds:0.###} s: is it a " +
            "multiprocessing.connection peer that uses an authentication key too?", inner);
}
