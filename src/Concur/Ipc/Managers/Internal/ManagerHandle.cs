using Concur.Serialization;

namespace Concur.Ipc.Managers.Internal;

/// <summary>Writes the arguments of a request after its operation and object id.</summary>
internal delegate void RequestWriter<TArg>(FrameBuilder request, in TArg argument);

/// <summary>Reads an answer whose status is not <see cref="ManagerStatus.Refused"/> or <see cref="ManagerStatus.Thrown"/>.</summary>
internal delegate TResult AnswerReader<TArg, TResult>(ManagerStatus status, ref FrameReader answer, in TArg argument);

/// <summary>
/// What a proxy is: the manager's address and key and the object's id. It travels with the proxy, field by field
/// (a proxy passed to a child or a pool task connects from there with the same address and key, as Python's proxies
/// do); the connections are this process's and stay behind.
/// </summary>
internal sealed class ManagerHandle
{
    private readonly string _address;
    private readonly byte[] _authKey;
    private readonly long _id;
    private readonly string _what;

    [NonSerialized]
    private ManagerClient? _client;

    /// <summary>Initializes a handle to the object <paramref name="id"/>, described in messages as <paramref name="what"/> ("the dict 'scores'").</summary>
    public ManagerHandle(string address, byte[] authKey, long id, string what)
    {
        _address = address;
        _authKey = authKey;
        _id = id;
        _what = what;
    }

    /// <summary>Gets the object's id in its server.</summary>
    public long Id => _id;

    /// <summary>Gets how messages name the object: what it is and where (<c>the dict 'scores' of the process manager at @concur-…</c>).</summary>
    public string Description => $"{_what} of the process manager at {Client.Described}";

    private ManagerClient Client => _client ??= ManagerClient.For(_address, _authKey);

    /// <summary>Runs one request against the object: builds it, sends it, reads the answer.</summary>
    /// <exception cref="IOException">The manager is gone.</exception>
    /// <exception cref="InvalidOperationException">The server refused the request (the message says why).</exception>
    /// <exception cref="RemoteException">A registered object's method threw.</exception>
    public ValueTask<TResult> CallCore<TArg, TResult>(
        ManagerOp op, TArg argument, RequestWriter<TArg>? write, AnswerReader<TArg, TResult> read, bool sync, CancellationToken cancellationToken) =>
        Call(Client, op, _id, argument, write, read, sync, cancellationToken);

    /// <summary>Runs one request to the server of <paramref name="client"/> (also for an object not opened yet: <see cref="ManagerOp.Open"/>).</summary>
    public static async ValueTask<TResult> Call<TArg, TResult>(
        ManagerClient client, ManagerOp op, long id, TArg argument, RequestWriter<TArg>? write, AnswerReader<TArg, TResult> read, bool sync, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ManagerChannel channel = client.Rent(sync);
        try
        {
            channel.Request.StartRequest(op, id);
            write?.Invoke(channel.Request, argument); // A value that cannot travel throws here, before anything is sent.
            FrameReader answer = await channel.CallCore(client.Described, sync, cancellationToken).ConfigureAwait(false);
            var status = (ManagerStatus)answer.ReadByte();
            switch (status)
            {
                case ManagerStatus.Refused:
                    throw new InvalidOperationException(answer.ReadString());
                case ManagerStatus.Thrown:
                    throw RemoteError.Read(answer.ReadBlob());
                default:
                    return read(status, ref answer, argument);
            }
        }
        finally
        {
            client.Return(channel, sync);
        }
    }
}
