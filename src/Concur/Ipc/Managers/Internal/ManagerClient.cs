using System.Collections.Concurrent;
using System.Net;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// This process's connections to one manager server (one address and key): idle channels are kept and reused, so a
/// call pays only for its round trip. Blocking calls and asynchronous calls keep separate channels, because a socket
/// that has been used asynchronously is non-blocking for good, which slows blocking calls down.
/// </summary>
/// <remarks>
/// Each call takes a channel for itself, so calls from many threads run in parallel on as many connections (the
/// server serves each connection on its own thread), as Python gives each thread its own connection.
/// </remarks>
internal sealed class ManagerClient
{
    /// <summary>At most this many idle channels are kept per kind; more are closed when returned.</summary>
    private const int MaxIdle = 64;

    private static readonly ConcurrentDictionary<string, ManagerClient> s_clients = new(StringComparer.Ordinal);

    private readonly EndPoint _endPoint;
    private readonly byte[] _authKey;
    private readonly Lock _sync = new();
    private readonly Stack<ManagerChannel> _idleSync = new();
    private readonly Stack<ManagerChannel> _idleAsync = new();

    private ManagerClient(string address, byte[] authKey)
    {
        _endPoint = ManagerAddress.Decode(address);
        Described = ManagerAddress.Describe(address);
        _authKey = authKey;
    }

    /// <summary>Gets the address as messages show it.</summary>
    public string Described { get; }

    /// <summary>Gets this process's client for the manager at <paramref name="address"/> with <paramref name="authKey"/>.</summary>
    public static ManagerClient For(string address, byte[] authKey) =>
        s_clients.GetOrAdd(address + "\n" + Convert.ToBase64String(authKey), static (_, state) => new ManagerClient(state.address, state.authKey), (address, authKey));

    /// <summary>Takes an idle channel, or opens one.</summary>
    /// <exception cref="IOException">No manager listens at the address.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The manager holds another key.</exception>
    public ManagerChannel Rent(bool sync)
    {
        lock (_sync)
        {
            if ((sync ? _idleSync : _idleAsync).TryPop(out ManagerChannel? idle))
            {
                return idle;
            }
        }
        return ManagerChannel.Open(_endPoint, Described, _authKey);
    }

    /// <summary>Gives back a channel after a call: kept if whole, closed if broken.</summary>
    public void Return(ManagerChannel channel, bool sync)
    {
        if (!channel.IsBroken)
        {
            lock (_sync)
            {
                Stack<ManagerChannel> idle = sync ? _idleSync : _idleAsync;
                if (idle.Count < MaxIdle)
                {
                    idle.Push(channel);
                    return;
                }
            }
        }
        channel.Dispose();
    }

    /// <summary>Closes every idle channel (the manager was shut down, or is gone).</summary>
    public void CloseIdle()
    {
        lock (_sync)
        {
            while (_idleSync.TryPop(out ManagerChannel? channel))
            {
                channel.Dispose();
            }
            while (_idleAsync.TryPop(out ManagerChannel? channel))
            {
                channel.Dispose();
            }
        }
    }
}
