using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Concur.Ipc.Internal;
using Concur.Serialization;
using Concur.Threading.Internal;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// The manager's server, run in its own process (a <see cref="ChildProcess"/> the owner starts): it listens at an
/// address, authenticates each client with the key, serves each connection on a thread of its own with blocking
/// socket calls (a round trip then costs two system calls and two thread wake-ups, nothing else), and lives until
/// the owner closes the control connection or dies.
/// </summary>
/// <remarks>
/// <code>
///  owner process                          manager process (ChildProcess, daemon)
///  ProcessManager ── control pipe ──────▶ Run: sends its address, then waits for end of file
///                                          │  (owner disposed it, exited or was killed: the server exits)
///  proxy ─┐                                ├─ accept thread ─▶ one thread per connection
///  proxy ─┼─ ManagerClient (idle channels) ┤     read frame ▶ op on ServedDict / ServedList /
///  child / pool task / other machine ──────┘     ServedQueue / ServedInstance (one lock each) ▶ answer
/// </code>
/// </remarks>
internal sealed class ManagerServer
{
    /// <summary>The prefix of the control message that reports a failure to start, instead of an address.</summary>
    public const string FailurePrefix = "!";

    private readonly byte[] _authKey;
    private readonly HashSet<string> _registered;
    private readonly ConcurrentDictionary<long, ServedObject> _objects = new();
    private readonly Dictionary<string, long> _names = new(StringComparer.Ordinal);
    private readonly Lock _namesSync = new();
    private Socket? _listener;
    private bool _sameUserOnly;
    private long _lastId;

    private ManagerServer(byte[] authKey, string[] registered)
    {
        _authKey = authKey;
        _registered = new HashSet<string>(registered, StringComparer.Ordinal);
    }

    /// <summary>
    /// The body of the manager's process: listens at <paramref name="address"/> (empty for a new abstract Unix
    /// name), reports the address bound (or why it could not listen) on <paramref name="control"/>, serves clients, and
    /// returns when <paramref name="control"/> reaches its end: the owner closed it, or its process ended.
    /// </summary>
    public static void Run(Connection control, byte[] authKey, string address, string[] registered)
    {
        var server = new ManagerServer(authKey, registered);
        string bound;
        try
        {
            bound = server.Listen(address);
        }
        catch (Exception e) when (e is IOException or SocketException or ArgumentException or InvalidDataException)
        {
            control.Send(FailurePrefix + e.Message);
            return;
        }
        var accepting = new Thread(server.AcceptLoop) { IsBackground = true, Name = "manager-accept" };
        accepting.Start();
        control.Send(bound);
        try
        {
            control.Receive<int>(); // The owner never sends: this returns (throws) at its end of file.
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or InvalidDataException or ObjectDisposedException)
        {
            // The owner has gone: so does the manager.
        }
        server._listener?.Dispose();
    }

    private string Listen(string address)
    {
        EndPoint endPoint = address.Length == 0 ? Endpoints.NewDefaultAddress() : ManagerAddress.Decode(address);
        _sameUserOnly = address.Length == 0 && endPoint is UnixDomainSocketEndPoint unix && Endpoints.IsAbstract(unix);
        Socket socket = Endpoints.CreateSocket(endPoint);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(64);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException(
                $"The process manager could not listen at {Endpoints.Describe(endPoint)}: {e.Message} ({e.SocketErrorCode})." +
                (e.SocketErrorCode == SocketError.AddressAlreadyInUse ? Endpoints.AddressInUseHint(endPoint) : ""), e);
        }
        _listener = socket;
        return ManagerAddress.Encode(socket.LocalEndPoint ?? endPoint);
    }

    private void AcceptLoop()
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = _listener!.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // Closed: the manager is stopping.
            }
            var serving = new Thread(() => Serve(accepted)) { IsBackground = true, Name = "manager-client" };
            serving.Start();
        }
    }

    /// <summary>Authenticates one client, then answers its requests until it closes the connection.</summary>
    private void Serve(Socket socket)
    {
        using var frames = new FrameSocket(socket);
        try
        {
            Endpoints.Configure(socket);
            if (_sameUserOnly)
            {
                PeerCredentials.RequireSameUser(socket, "a process manager");
            }
            var engine = new MessageSocket(socket, "A client of the process manager", Handshake.MaxMessageLength, canReceive: true, canSend: true);
            SyncOrAsync.RunSync(Handshake.RunCore(engine, _authKey, asListener: true, Handshake.DefaultTimeout, sync: true, default));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // Refused (another key, another user, not the protocol, gone): the client sees the handshake fail; the server goes on.
        }
        var answer = new FrameBuilder();
        while (true)
        {
            FrameReader request;
            try
            {
                request = frames.Receive();
            }
            catch (Exception e) when (e is EndOfStreamException or SocketException or InvalidDataException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                Dispatch(ref request, answer, socket);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                answer.StartAnswer(ManagerStatus.Refused);
                answer.WriteString(e is InvalidOperationException or InvalidDataException ? e.Message : $"The process manager failed: {e}");
            }
            try
            {
                frames.Send(answer.Finish().Span);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void Dispatch(ref FrameReader request, FrameBuilder answer, Socket client)
    {
        var op = (ManagerOp)request.ReadByte();
        long id = request.ReadInt64();
        switch (op)
        {
            case ManagerOp.Ping:
                answer.StartAnswer(ManagerStatus.Ok);
                return;
            case ManagerOp.Open:
                Open(ref request, answer);
                return;
        }
        if (!_objects.TryGetValue(id, out ServedObject? served))
        {
            throw new InvalidOperationException($"The process manager holds no object {id}: the proxy does not come from this manager.");
        }
        served.Handle(op, ref request, answer, client);
    }

    /// <summary>Gets the object of a name (checking that it is of the kind and type asked for), or makes a new one.</summary>
    private void Open(ref FrameReader request, FrameBuilder answer)
    {
        var kind = (ManagerKind)request.ReadByte();
        string name = request.ReadString();
        string signature = request.ReadString();
        lock (_namesSync)
        {
            if (name.Length > 0 && _names.TryGetValue(name, out long existingId))
            {
                ServedObject existing = _objects[existingId];
                if (existing.Kind != kind || existing.Signature != signature)
                {
                    throw new InvalidOperationException(
                        $"The process manager's object '{name}' is a {existing.Signature}, not a {signature}: every process must " +
                        "open a named object with the same kind and types.");
                }
                answer.StartAnswer(ManagerStatus.Ok);
                answer.WriteInt64(existingId);
                return;
            }
            ServedObject created = kind switch
            {
                ManagerKind.Dict or ManagerKind.Namespace => new ServedDict(kind, signature),
                ManagerKind.List => new ServedList(signature),
                ManagerKind.Queue => new ServedQueue(signature, request.ReadInt32()),
                ManagerKind.Object => CreateInstance(signature, ref request),
                _ => throw new InvalidOperationException($"Unknown object kind {(byte)kind}: the client and the server disagree on the protocol."),
            };
            long id = ++_lastId;
            _objects[id] = created;
            if (name.Length > 0)
            {
                _names[name] = id;
            }
            answer.StartAnswer(ManagerStatus.Ok);
            answer.WriteInt64(id);
        }
    }

    private ServedInstance CreateInstance(string signature, ref FrameReader request)
    {
        string typeName = request.ReadString();
        ReadOnlyMemory<byte> state = request.ReadBlob();
        if (!_registered.Contains(typeName))
        {
            throw new InvalidOperationException(
                $"{signature} is not registered with this process manager: register it when starting the manager " +
                $"(new ProcessManagerOptions().Register<{signature}>()). Only registered types are made in the manager's process.");
        }
        Type type = Type.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"The process manager cannot load {typeName}: is its assembly beside the manager's?");
        object instance = ManagerCodec.Read(type, state, $"the new {CSharpName.Of(type)}")
            ?? throw new InvalidOperationException($"The initial {CSharpName.Of(type)} arrived as null.");
        return new ServedInstance(signature, instance);
    }
}
