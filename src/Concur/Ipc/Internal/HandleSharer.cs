using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Concur.Ipc.Internal;

/// <summary>
/// Hands the operating-system object behind a queue, a connection end or a pipe end (<see cref="IPassedByHandle{TSelf}"/>)
/// to another process that received it by value: Python's <c>multiprocessing.resource_sharer</c>, over a Linux
/// abstract-namespace socket, so nothing ever exists in the file system and nothing is left when a process dies, even
/// by SIGKILL (the kernel removes the name with the socket).
/// </summary>
/// <remarks>
/// <code>
///  sender                                                   receiver (a child, a pool worker, any process of the same user)
///  Register(obj) ─► ticket (16 random bytes), once per obj
///  writes [name, pid, ticket, state] ─── a frame, a message ───► reads them
///  listener "\0concur-share-&lt;pid&gt;-&lt;hex&gt;"  ◄──── connect ─────── Take(name, pid, ticket)
///    SO_PEERCRED: same uid, else refuse                       SO_PEERCRED: same uid, else refuse
///    reads the ticket (5 s at most)      ◄──── ticket ─────
///    looks it up, dups its descriptor (the owner's handle is busy only during the dup)
///    sendmsg: status byte + SCM_RIGHTS  ─────────────────►  recvmsg(MSG_CMSG_CLOEXEC): a new descriptor (10 s at most)
///    closes its dup
/// </code>
/// <para>
/// The service starts in a process the first time it registers an object, and lives as long as the process: one
/// listening socket, served by an asynchronous accept loop, each peer on its own with a bound on how long it may take.
/// A peer that sends garbage, says nothing, runs as another user or disconnects only loses its own connection: every
/// failure while serving closes that peer and is reported nowhere, and the loop goes on.
/// </para>
/// <para>
/// A registration holds its object weakly and lives until the object is disposed (<see cref="Revoke"/>), so an object
/// sent to many processes (or many times to one) is registered once, and every receiver gets its own descriptor.
/// A ticket is a capability: anyone of the same user who knows it may take the descriptor while it is registered,
/// which is why tickets are 128 random bits and travel only inside Concur's own frames and messages.
/// </para>
/// </remarks>
internal static partial class HandleSharer
{
    /// <summary>The length of a ticket: 128 random bits, which nobody guesses.</summary>
    public const int TicketLength = 16;

    /// <summary>The most state bytes an object may send with its handle (a few flags and sizes; more would be data, which belongs in a message).</summary>
    public const int MaxStateLength = 256;

    /// <summary>How many registrations there may be before the first scan for objects collected without being disposed.</summary>
    private const int MinPrune = 64;

    /// <summary>How every sharer's name begins, after the NUL byte that makes it abstract.</summary>
    public const string NamePrefix = "concur-share-";

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<Guid, Registration> s_byTicket = [];
    private static readonly ConditionalWeakTable<object, Registration> s_byOwner = [];
    private static readonly Lazy<uint> s_userId = new(() => PeerCredentials.EffectiveUserId);
    private static Socket? s_listener;
    private static string? s_name;
    private static int s_nextPrune = MinPrune;

    /// <summary>Gets the abstract name this process's sharer listens on (without its leading NUL), or <see langword="null"/> before it started.</summary>
    public static string? Name
    {
        get
        {
            lock (s_lock)
            {
                return s_name;
            }
        }
    }

    /// <summary>Gets a value indicating whether <paramref name="owner"/> is registered now (for tests).</summary>
    internal static bool IsRegistered(object owner)
    {
        lock (s_lock)
        {
            return s_byOwner.TryGetValue(owner, out _);
        }
    }

    /// <summary>
    /// Registers <paramref name="owner"/> (once: a later call returns the same grant) and starts this process's sharer
    /// if it has not started yet.
    /// </summary>
    /// <typeparam name="T">The type of the object.</typeparam>
    /// <param name="owner">The object whose handle other processes may take while it is open.</param>
    /// <returns>What a receiver needs to take the handle.</returns>
    /// <exception cref="ObjectDisposedException"><paramref name="owner"/> is closed.</exception>
    /// <exception cref="PlatformNotSupportedException">This is not Linux.</exception>
    /// <exception cref="IOException">The sharer's socket could not be created.</exception>
    public static Grant Register<T>(T owner)
        where T : class, IPassedByHandle<T>
    {
        ThrowIfNotLinux(typeof(T));
        SafeHandle handle = owner.TransferHandle; // Throws if closed; prepares the object for sharing.
        ObjectDisposedException.ThrowIf(handle.IsClosed || handle.IsInvalid, owner);
        lock (s_lock)
        {
            string name = StartIfNeeded();
            if (!s_byOwner.TryGetValue(owner, out Registration? registration))
            {
                if (s_byTicket.Count >= s_nextPrune)
                {
                    PruneCollected();
                    s_nextPrune = Math.Max(MinPrune, 2 * s_byTicket.Count); // Amortized: a scan per doubling.
                }
                registration = new Registration(new WeakReference<object>(owner), static o => ((T)o).TransferHandle, CSharpTypeName(typeof(T)));
                s_byOwner.Add(owner, registration);
                s_byTicket.Add(registration.Key, registration);
            }
            return new Grant(name, Environment.ProcessId, registration.Ticket);
        }
    }

    /// <summary>Forgets <paramref name="owner"/>'s registration, if it has one: a receiver that comes later is told the object was disposed.</summary>
    /// <param name="owner">The object being disposed.</param>
    public static void Revoke(object owner)
    {
        if (Volatile.Read(ref s_listener) is null)
        {
            return; // Nothing was ever registered in this process.
        }
        lock (s_lock)
        {
            if (s_byOwner.TryGetValue(owner, out Registration? registration))
            {
                s_byOwner.Remove(owner);
                s_byTicket.Remove(registration.Key);
            }
        }
    }

    private static string StartIfNeeded()
    {
        Debug.Assert(s_lock.IsHeldByCurrentThread, "The caller holds the registry's lock.");
        if (s_name is not null)
        {
            return s_name;
        }
        string name = NamePrefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" +
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
            listener.Listen(Backlog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"Could not start this process's handle sharer (an abstract Unix socket): {e.Message} ({e.SocketErrorCode}).", e);
        }
        s_name = name;
        Volatile.Write(ref s_listener, listener);
        _ = Task.Run(() => AcceptLoop(listener));
        return name;
    }

    /// <summary>Drops registrations whose object was collected without being disposed (its handle was closed by its finalizer).</summary>
    private static void PruneCollected()
    {
        Debug.Assert(s_lock.IsHeldByCurrentThread, "The caller holds the registry's lock.");
        List<Guid>? dead = null;
        foreach (var (key, registration) in s_byTicket)
        {
            if (!registration.Owner.TryGetTarget(out _))
            {
                (dead ??= []).Add(key);
            }
        }
        foreach (Guid key in dead ?? [])
        {
            s_byTicket.Remove(key);
        }
    }

    private static void ThrowIfNotLinux(Type type)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"A {CSharpTypeName(type)} cannot be passed to another process on this operating system: Concur passes " +
                "it as its handle over a Linux abstract Unix socket (SCM_RIGHTS), which only Linux has. Create it in the " +
                "process that uses it, or connect the processes with a ConnectionListener.");
        }
    }

    private static string CSharpTypeName(Type type) => ShortName(type);

    /// <summary>Gets how messages name <paramref name="type"/>: its name without namespace or generic arity ("ProcessQueue").</summary>
    public static string ShortName(Type type) => type.Name.Split('`')[0];

    /// <summary>What a receiver needs to take a registered handle.</summary>
    /// <param name="Name">The sharer's abstract socket name, without its leading NUL.</param>
    /// <param name="Pid">The sending process's id, for messages.</param>
    /// <param name="Ticket">The registration's ticket.</param>
    internal readonly record struct Grant(string Name, int Pid, byte[] Ticket);

    /// <summary>One registered object: held weakly, and how to get its handle.</summary>
    private sealed class Registration
    {
        public Registration(WeakReference<object> owner, Func<object, SafeHandle> handleOf, string typeName)
        {
            Owner = owner;
            HandleOf = handleOf;
            TypeName = typeName;
            Ticket = RandomNumberGenerator.GetBytes(TicketLength);
            Key = new Guid(Ticket);
        }

        public WeakReference<object> Owner { get; }

        public Func<object, SafeHandle> HandleOf { get; }

        public string TypeName { get; }

        public byte[] Ticket { get; }

        public Guid Key { get; }
    }
}
