using System.Net;
using System.Security.Cryptography;
using Concur.Ipc.Managers.Internal;
using Concur.Serialization;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// A server process that holds shared dictionaries, lists, namespaces, queues and instances of registered types, which
/// any process reaches through proxies: Python's <c>multiprocessing.Manager()</c> and <c>BaseManager</c>. Start one
/// with <see cref="Start"/> (its owner), or reach a running one from an unrelated process, or another machine, with
/// <see cref="Connect"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Proxies.</b> <see cref="Dict{TKey, TValue}"/>, <see cref="List{T}"/>, <see cref="Namespace"/>,
/// <see cref="Queue{T}"/> and <see cref="Share{T}"/> create an object in the manager (or, given a name, open the one
/// of that name, so unrelated processes can meet on it) and return its proxy. A proxy is plain data (the manager's
/// address, key and the object's id): capture it in a <see cref="ChildProcess"/>, pass it to a pool task, keep it
/// in a field of something you send, and the receiving process reaches the same object. Each member of a proxy is
/// one round trip to the manager; values are copies (see <see cref="ManagerDict{TKey, TValue}"/>).
/// </para>
/// <para>
/// <b>Lifetime.</b> The manager's process lives until its owner disposes this object, exits, or dies: it watches a
/// pipe from the owner and ends at its end of file, so even an owner killed by SIGKILL leaves no server behind (and
/// the child-process machinery kills it too when its parent dies). The objects live as long as the manager
/// (Python frees an object when its last proxy goes; Concur does not count proxies across processes). Once the
/// manager is gone, every proxy call throws an <see cref="IOException"/> that names the manager's address, and
/// never waits for ever; the processes that used it go on.
/// </para>
/// <para>
/// <b>Speed.</b> The protocol is a lean binary one over a Unix or TCP socket, served by one thread per connection,
/// with values kept serialized in the manager; a round trip is dominated by the two thread wake-ups it needs (see
/// docs/benchmarks.md). Batch members (<see cref="ManagerDict{TKey, TValue}.Update"/>,
/// <see cref="ManagerDict{TKey, TValue}.GetMany"/>) move many entries per round trip. On one machine,
/// <see cref="ProcessQueue{T}"/>, <see cref="SharedValue{T}"/> and <see cref="SharedMemory"/> need no server and are
/// much faster.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var manager = await ProcessManager.StartAsync();
/// var counts = manager.Dict&lt;string, long&gt;();
/// await using var pool = new ProcessPoolExecutor(maxWorkers: 2);
/// await Task.WhenAll(Enumerable.Range(0, 10).Select(i =&gt; pool.Submit(() =&gt; counts.Increment("done"))));
/// long done = counts["done"];   // 10
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ProcessManager : IDisposable, IAsyncDisposable
{
    /// <summary>How long the manager's process may take to start and report its address.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long <see cref="Dispose"/> waits for the manager's process to end by itself before killing it.</summary>
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(10);

    private static int s_lastNumber;

    private readonly string _address;
    private readonly byte[] _authKey;
    private readonly ManagerClient _client;
    private readonly Connection? _control;
    private readonly ChildProcess? _server;
    private int _disposed;

    private ProcessManager(string address, byte[] authKey, Connection? control, ChildProcess? server)
    {
        _address = address;
        _authKey = authKey;
        _client = ManagerClient.For(address, authKey);
        _control = control;
        _server = server;
        Address = ManagerAddress.Decode(address);
    }

    /// <summary>Gets the address clients connect to (with <see cref="Connect"/>): the abstract socket name, the socket file, or the IP address and port bound.</summary>
    public EndPoint Address { get; }

    /// <summary>Gets a copy of the key clients must hold (Python's <c>authkey</c>).</summary>
    public byte[] AuthKey => _authKey.ToArray();

    /// <summary>Gets the process id of the manager's process, for the owner; <see langword="null"/> for a manager reached with <see cref="Connect"/>.</summary>
    public int? ProcessId => _server?.Pid;

    /// <summary>
    /// Starts a manager process (Python's <c>Manager()</c>, or <c>BaseManager(address, authkey).start()</c>) and
    /// returns once it listens. This process owns it: disposing this object shuts it down.
    /// </summary>
    /// <param name="options">The address, key and registered types; <see langword="null"/> for the defaults (a new abstract Unix socket, a random key, no registered types).</param>
    /// <returns>The manager.</returns>
    /// <exception cref="IOException">The manager could not listen at the address (the message says why), or its process ended while starting.</exception>
    /// <exception cref="TimeoutException">The manager's process did not report its address within 60 seconds (it was killed).</exception>
    public static ProcessManager Start(ProcessManagerOptions? options = null)
    {
        options ??= new ProcessManagerOptions();
        byte[] key = options.AuthKey?.ToArray() ?? RandomNumberGenerator.GetBytes(32);
        string requested = options.Address is null ? string.Empty : ManagerAddress.Encode(options.Address);
        string[] registered = options.RegisteredTypes.Select(static t => t.AssemblyQualifiedName!).ToArray();
        var (ownerEnd, serverEnd) = Connection.CreatePipe();
        ChildProcess server;
        string reported;
        try
        {
            server = new ChildProcess(
                () => ManagerServer.Run(serverEnd, key, requested, registered),
                $"ProcessManager-{Interlocked.Increment(ref s_lastNumber)}")
            {
                Daemon = true, // A manager never keeps its owner from exiting; the owner's exit ends it.
            };
            server.Start();
            reported = AwaitAddress(ownerEnd, server);
        }
        catch
        {
            ownerEnd.Dispose();
            throw;
        }
        finally
        {
            serverEnd.Dispose(); // The server has its own copy by now (or is gone).
        }
        if (reported.StartsWith(ManagerServer.FailurePrefix, StringComparison.Ordinal))
        {
            ownerEnd.Dispose();
            server.Join(s_stopTimeout);
            throw new IOException(reported[ManagerServer.FailurePrefix.Length..]);
        }
        return new ProcessManager(reported, key, ownerEnd, server);
    }

    /// <summary>Starts a manager process without blocking the caller, as <see cref="Start"/>.</summary>
    /// <param name="options">The address, key and registered types; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait before the start begins.</param>
    /// <returns>The manager.</returns>
    /// <exception cref="IOException">The manager could not listen at the address, or its process ended while starting.</exception>
    /// <exception cref="TimeoutException">The manager's process did not report its address within 60 seconds.</exception>
    public static Task<ProcessManager> StartAsync(ProcessManagerOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Start(options), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default); // Spawning blocks: keep it off the pool's threads.

    /// <summary>
    /// Connects to the manager at <paramref name="address"/> (Python's <c>BaseManager(address, authkey).connect()</c>)
    /// from any process, on this machine or another, and checks the key at once. Disposing the result closes this
    /// process's connections; the manager goes on.
    /// </summary>
    /// <param name="address">The manager's <see cref="Address"/>.</param>
    /// <param name="authKey">The manager's <see cref="AuthKey"/>.</param>
    /// <returns>A manager object without ownership: its proxies reach the manager's objects.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="address"/> is neither a Unix socket nor an IP end point.</exception>
    /// <exception cref="IOException">No manager listens at <paramref name="address"/>.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The manager holds another key.</exception>
    public static ProcessManager Connect(EndPoint address, byte[] authKey)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(authKey);
        var manager = new ProcessManager(ManagerAddress.Encode(address), authKey.ToArray(), control: null, server: null);
        SyncOrAsync.RunSync(ManagerHandle.Call<int, int>(
            manager._client, ManagerOp.Ping, 0, 0, null, static (ManagerStatus s, ref FrameReader a, in int _) => 0, sync: true, default));
        return manager;
    }

    /// <summary>Creates a dictionary in the manager, or opens the one named <paramref name="name"/> (Python's <c>manager.dict()</c>).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">A name every process can open it by; <see langword="null"/> (the default) for a new unnamed dictionary, reached through its proxy.</param>
    /// <returns>Its proxy.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="TKey"/> or <typeparamref name="TValue"/> cannot travel, or <paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">An object of that name exists with another kind or other types.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    /// <exception cref="ObjectDisposedException">This manager has been disposed.</exception>
    public ManagerDict<TKey, TValue> Dict<TKey, TValue>(string? name = null)
        where TKey : notnull
    {
        ManagerCodec.ThrowIfUnsendable(typeof(TKey), nameof(TKey));
        ManagerCodec.ThrowIfUnsendable(typeof(TValue), nameof(TValue));
        return new ManagerDict<TKey, TValue>(Open(ManagerKind.Dict, name, typeof(ManagerDict<TKey, TValue>), "dict"));
    }

    /// <summary>Creates a list in the manager, or opens the one named <paramref name="name"/> (Python's <c>manager.list()</c>).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="name">A name every process can open it by; <see langword="null"/> (the default) for a new unnamed list.</param>
    /// <returns>Its proxy.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> cannot travel, or <paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">An object of that name exists with another kind or other types.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    /// <exception cref="ObjectDisposedException">This manager has been disposed.</exception>
    public ManagerList<T> List<T>(string? name = null)
    {
        ManagerCodec.ThrowIfUnsendable(typeof(T), nameof(T));
        return new ManagerList<T>(Open(ManagerKind.List, name, typeof(ManagerList<T>), "list"));
    }

    /// <summary>Creates a namespace in the manager, or opens the one named <paramref name="name"/> (Python's <c>manager.Namespace()</c>).</summary>
    /// <param name="name">A name every process can open it by; <see langword="null"/> (the default) for a new unnamed namespace.</param>
    /// <returns>Its proxy.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">An object of that name exists with another kind.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    /// <exception cref="ObjectDisposedException">This manager has been disposed.</exception>
    public ManagerNamespace Namespace(string? name = null) =>
        new(Open(ManagerKind.Namespace, name, typeof(ManagerNamespace), "namespace"));

    /// <summary>Creates a queue in the manager, or opens the one named <paramref name="name"/> (Python's <c>manager.Queue(maxsize)</c>).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="maxSize">The most items it holds; 0 (the default) for no limit. Ignored when a queue of that name exists.</param>
    /// <param name="name">A name every process can open it by; <see langword="null"/> (the default) for a new unnamed queue.</param>
    /// <returns>Its proxy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> cannot travel, or <paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">An object of that name exists with another kind or other types.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    /// <exception cref="ObjectDisposedException">This manager has been disposed.</exception>
    public ManagerQueue<T> Queue<T>(int maxSize = 0, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ManagerCodec.ThrowIfUnsendable(typeof(T), nameof(T));
        return new ManagerQueue<T>(Open(ManagerKind.Queue, name, typeof(ManagerQueue<T>), "queue", static (r, in o) => r.WriteInt32((int)o!), maxSize));
    }

    /// <summary>
    /// Puts a copy of <paramref name="initial"/> in the manager, or opens the object named <paramref name="name"/>
    /// (then <paramref name="initial"/> is not used), and returns the proxy that calls its methods there (Python's
    /// proxies for <c>BaseManager.register</c>ed types). <typeparamref name="T"/> must be registered when the manager
    /// is started (<see cref="ProcessManagerOptions.Register{T}"/>).
    /// </summary>
    /// <typeparam name="T">A registered class, whose state travels field by field.</typeparam>
    /// <param name="initial">The instance whose copy the manager keeps.</param>
    /// <param name="name">A name every process can open it by; <see langword="null"/> (the default) for a new unnamed object.</param>
    /// <returns>Its proxy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="initial"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> cannot travel, or <paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not registered with the manager, or an object of that name exists with another kind or type.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    /// <exception cref="ObjectDisposedException">This manager has been disposed.</exception>
    public ManagerObject<T> Share<T>(T initial, string? name = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(initial);
        ManagerCodec.ThrowIfUnsendable(typeof(T), nameof(T));
        return new ManagerObject<T>(Open(
            ManagerKind.Object,
            name,
            typeof(T),
            CSharpName.Of(typeof(T)),
            static (r, in o) =>
            {
                r.WriteString(typeof(T).AssemblyQualifiedName!);
                ManagerCodec.WriteBlob(r, (T)o!, "initial");
            },
            initial));
    }

    /// <summary>Shuts the manager down (Python's <c>manager.shutdown()</c>), as <see cref="Dispose"/>.</summary>
    public void Shutdown() => Dispose();

    /// <summary>
    /// For the owner, shuts the manager's process down (every proxy then throws <see cref="IOException"/>), waiting up
    /// to 10 seconds for it to end and then killing it; for a manager reached with <see cref="Connect"/>, closes this
    /// process's idle connections. Disposing twice does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _client.CloseIdle();
        if (_control is null || _server is null)
        {
            return;
        }
        _control.Dispose(); // The server's end of file: it stops.
        if (!_server.Join(s_stopTimeout))
        {
            _server.Kill();
            _server.Join(s_stopTimeout);
        }
    }

    /// <summary>Shuts the manager down without blocking the caller, as <see cref="Dispose"/>.</summary>
    /// <returns>A task that completes when the manager's process has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _client.CloseIdle();
        if (_control is null || _server is null)
        {
            return;
        }
        _control.Dispose();
        using var stop = new CancellationTokenSource(s_stopTimeout);
        try
        {
            await _server.JoinAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _server.Kill();
            _server.Join(s_stopTimeout);
        }
    }

    /// <summary>Describes the manager: its address and, for the owner, its process.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"ProcessManager at {_client.Described}{(_server is null ? "" : $" (pid {_server.Pid})")}{(Volatile.Read(ref _disposed) != 0 ? " (disposed)" : "")}";

    private static string AwaitAddress(Connection ownerEnd, ChildProcess server)
    {
        long deadline = Environment.TickCount64 + (long)s_startTimeout.TotalMilliseconds;
        while (!ownerEnd.Poll(TimeSpan.FromMilliseconds(100)))
        {
            if (!server.IsAlive)
            {
                throw new IOException(
                    $"The process manager's process (pid {server.Pid}) ended with exit code {server.ExitCode} before it listened; its error is on standard error.");
            }
            if (Environment.TickCount64 > deadline)
            {
                server.Kill();
                throw new TimeoutException($"The process manager's process (pid {server.Pid}) did not report its address within {s_startTimeout.TotalSeconds:N0} seconds; it was killed.");
            }
        }
        return ownerEnd.Receive<string>();
    }

    private ManagerHandle Open(ManagerKind kind, string? name, Type declared, string what, RequestWriter<object?>? extra = null, object? extraState = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (name is not null && name.Length == 0)
        {
            throw new ArgumentException("A manager object's name is null (unnamed) or a non-empty string.", nameof(name));
        }
        string signature = CSharpName.Of(declared);
        long id = SyncOrAsync.RunSync(ManagerHandle.Call(
            _client,
            ManagerOp.Open,
            0,
            (kind, name ?? string.Empty, signature, extra, extraState),
            static (FrameBuilder r, in (ManagerKind Kind, string Name, string Signature, RequestWriter<object?>? Extra, object? State) a) =>
            {
                r.WriteByte((byte)a.Kind);
                r.WriteString(a.Name);
                r.WriteString(a.Signature);
                a.Extra?.Invoke(r, a.State);
            },
            static (ManagerStatus s, ref FrameReader a, in (ManagerKind, string, string, RequestWriter<object?>?, object?) _) => a.ReadInt64(),
            sync: true,
            default));
        return new ManagerHandle(_address, _authKey, id, name is null ? $"a {what} ({signature})" : $"the {what} '{name}'");
    }
}
