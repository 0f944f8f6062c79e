using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Concur.Ipc.Internal;

/// <summary>The serving side: the accept loop and one short exchange per peer.</summary>
internal static partial class HandleSharer
{
    /// <summary>Pending connections the kernel keeps: many workers may start at once and each take its handles.</summary>
    private const int Backlog = 128;

    /// <summary>
    /// How long a peer may take to send its ticket. A receiver sends it as soon as it is connected; this only ends
    /// the wait for a peer that connects and says nothing, which holds nothing but its own connection meanwhile.
    /// </summary>
    private static readonly TimeSpan s_peerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long to pause when accepting fails (out of descriptors): a tight retry loop would burn a core.</summary>
    private static readonly TimeSpan s_acceptRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>The first byte of every answer.</summary>
    internal enum Answer : byte
    {
        /// <summary>The descriptor is attached.</summary>
        Granted = 1,

        /// <summary>No object is registered under this ticket (never, or no longer: it was disposed).</summary>
        Unknown = 2,

        /// <summary>The object is registered but already closed.</summary>
        Closed = 3,

        /// <summary>The peer runs as another user: refused before its ticket is read.</summary>
        OtherUser = 4,

        /// <summary>The sender could not duplicate the descriptor (it has too many open).</summary>
        NoDescriptors = 5,
    }

    private static async Task AcceptLoop(Socket listener)
    {
        while (true)
        {
            Socket peer;
            try
            {
                peer = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception)
            {
                // Out of descriptors, or a peer gone before it was accepted: the loop must outlive it.
                await Task.Delay(s_acceptRetry).ConfigureAwait(false);
                continue;
            }
            _ = ServeAsync(peer);
        }
    }

    /// <summary>Serves one peer: never throws, never waits longer than <see cref="s_peerTimeout"/>, always closes the peer.</summary>
    private static async Task ServeAsync(Socket peer)
    {
        try
        {
            using (peer)
            {
                if (PeerCredentials.UserOf(peer) != s_userId.Value)
                {
                    UnixRights.Send(peer.SafeHandle, (byte)Answer.OtherUser, -1);
                    return;
                }
                byte[] ticket = new byte[TicketLength];
                using var timeout = new CancellationTokenSource(s_peerTimeout);
                for (int got = 0; got < TicketLength;)
                {
                    int read = await peer.ReceiveAsync(ticket.AsMemory(got), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }
                    got += read;
                }
                Reply(peer, new Guid(ticket));
            }
        }
        catch (Exception)
        {
            // Whatever went wrong concerns this peer only (it timed out, closed, or sent nonsense): it is closed, and
            // the sharer goes on serving the others. Nothing to report: the receiver reports its own failure.
        }
    }

    private static void Reply(Socket peer, Guid key)
    {
        Registration? registration;
        lock (s_lock)
        {
            s_byTicket.TryGetValue(key, out registration);
        }
        object? owner = null;
        if (registration is null || !registration.Owner.TryGetTarget(out owner))
        {
            UnixRights.Send(peer.SafeHandle, (byte)Answer.Unknown, -1);
            return;
        }
        SafeHandle handle;
        try
        {
            handle = registration.HandleOf(owner);
        }
        catch (ObjectDisposedException)
        {
            UnixRights.Send(peer.SafeHandle, (byte)Answer.Closed, -1);
            return;
        }
        int copy;
        try
        {
            // A copy of our own to send: the owner's handle is in use only while it is duplicated. Were it in use while
            // the peer receives, an owner disposed just after the receiver has it would find its handle busy, and .NET
            // then shuts the socket down to wake the user it assumes, which every process's copy would see.
            copy = UnixRights.Duplicate(handle);
        }
        catch (ObjectDisposedException)
        {
            UnixRights.Send(peer.SafeHandle, (byte)Answer.Closed, -1);
            return;
        }
        if (copy < 0)
        {
            UnixRights.Send(peer.SafeHandle, (byte)Answer.NoDescriptors, -1);
            return;
        }
        try
        {
            UnixRights.Send(peer.SafeHandle, (byte)Answer.Granted, copy);
        }
        finally
        {
            UnixRights.Close(copy);
        }
        GC.KeepAlive(owner);
    }
}
