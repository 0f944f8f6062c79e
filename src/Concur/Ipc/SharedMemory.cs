using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Concur.Ipc.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur;

/// <summary>
/// A block of shared memory that several processes read and write as bytes (Python's
/// <c>multiprocessing.shared_memory.SharedMemory</c>).
/// </summary>
/// <remarks>
/// <para>
/// <b>Anonymous</b> (<see cref="SharedMemory(int)"/>, the default): a memfd, in no file system. Capture it in a
/// <see cref="ChildProcess"/> lambda or a pool task, pass it as an argument or keep it in a field of a
/// <see cref="ChildProcess"/> subclass, and it arrives as a view of the same memory. The memory lives while any
/// process has a view of it and is gone when the last one closes it or dies, SIGKILL included: nothing can leak.
/// </para>
/// <para>
/// <b>Named</b> (<see cref="Create(string, int)"/>, <see cref="Open(string)"/>): a POSIX shared-memory file,
/// <c>/dev/shm/&lt;name&gt;</c>, for unrelated processes and for Python, whose <c>SharedMemory(name)</c> opens the
/// same memory. As in Python, the name stays until someone calls <see cref="Unlink()"/>: disposing of a view never
/// removes it, and Concur has no resource tracker that removes it at exit. Unlinking removes only the name: every
/// process that has the block open keeps using it, and the memory goes when the last view closes. Unlink as soon as
/// every process that needs the name has opened it. See "Shared memory" in <c>docs/design/ipc.md</c>.
/// </para>
/// <para>
/// <see cref="Span"/> is valid until this object is disposed: do not dispose of it while another thread uses a span.
/// <see cref="Memory"/> pins the mapping while pinned (as asynchronous I/O pins), so disposing waits for that.
/// </para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed unsafe class SharedMemory : IDisposable, IPassedByHandle<SharedMemory>
{
    private static int s_created;

    private readonly SharedMapping _mapping;
    private readonly SharedMemoryManager _manager;
    private volatile bool _disposed;

    /// <summary>Creates an anonymous block of <paramref name="size"/> zero bytes (Python's <c>SharedMemory(create=True, size=n)</c>, without a name).</summary>
    /// <param name="size">The size in bytes, above zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is zero or negative.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public SharedMemory(int size)
    {
        SharedMemoryNative.ThrowIfUnsupported(nameof(SharedMemory), SharedMemoryNative.SharedMemoryInstead);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _mapping = SharedMapping.Create($"concur-shm-{Environment.ProcessId}-{Interlocked.Increment(ref s_created)}", size);
        Size = size;
        _manager = new SharedMemoryManager(_mapping, size);
    }

    private SharedMemory(SharedMapping mapping, string? name)
    {
        if (mapping.Length is <= 0 or > int.MaxValue)
        {
            mapping.Dispose();
            throw new InvalidDataException($"Shared memory of {mapping.Length:N0} bytes cannot be read as one span: SharedMemory holds 1 byte to 2 GiB.");
        }
        _mapping = mapping;
        Size = (int)mapping.Length;
        Name = name;
        _manager = new SharedMemoryManager(_mapping, Size);
    }

    /// <summary>Gets the name of a named block (Python's <c>name</c>, without the leading slash), or <see langword="null"/> for an anonymous one.</summary>
    public string? Name { get; }

    /// <summary>Gets the size in bytes (Python's <c>size</c>).</summary>
    public int Size { get; }

    /// <summary>Gets the bytes of the block (Python's <c>buf</c>); valid until this object is disposed.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the block.</exception>
    public Span<byte> Span
    {
        get
        {
            ThrowIfDisposed();
            return new Span<byte>(_mapping.Address, Size);
        }
    }

    /// <summary>Gets the bytes of the block as <see cref="Memory{T}"/>, for asynchronous code; pinning it keeps the mapping alive.</summary>
    /// <exception cref="ObjectDisposedException">This process disposed of the block.</exception>
    public Memory<byte> Memory
    {
        get
        {
            ThrowIfDisposed();
            return _manager.Memory;
        }
    }

    /// <summary>
    /// Creates a named block of <paramref name="size"/> zero bytes, <c>/dev/shm/&lt;name&gt;</c> (Python's
    /// <c>SharedMemory(name, create=True, size=n)</c>), readable by other processes of the same user.
    /// </summary>
    /// <param name="name">The name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 200 characters.</param>
    /// <param name="size">The size in bytes, above zero.</param>
    /// <returns>The block, open.</returns>
    /// <exception cref="IOException">A block of that name exists already.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is zero or negative.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public static SharedMemory Create(string name, int size)
    {
        SharedMemoryNative.ThrowIfUnsupported(nameof(SharedMemory), SharedMemoryNative.SharedMemoryInstead);
        string checkedName = CheckName(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        SafeFileHandle handle = SharedMemoryNative.OpenNamed(checkedName, create: true, size);
        try
        {
            return new SharedMemory(SharedMapping.Attach(handle), checkedName);
        }
        catch
        {
            SharedMemoryNative.UnlinkNamed(checkedName);
            throw;
        }
    }

    /// <summary>Opens the named block <c>/dev/shm/&lt;name&gt;</c>, made by Concur or by Python (Python's <c>SharedMemory(name)</c>).</summary>
    /// <param name="name">The name, with or without Python's leading slash.</param>
    /// <returns>The block, open, as large as it was created.</returns>
    /// <exception cref="FileNotFoundException">There is no block of that name.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux on x64 or Arm64.</exception>
    public static SharedMemory Open(string name)
    {
        SharedMemoryNative.ThrowIfUnsupported(nameof(SharedMemory), SharedMemoryNative.SharedMemoryInstead);
        string checkedName = CheckName(name);
        return new SharedMemory(SharedMapping.Attach(SharedMemoryNative.OpenNamed(checkedName, create: false, 0)), checkedName);
    }

    /// <summary>
    /// Removes the name <c>/dev/shm/&lt;name&gt;</c> (Python's <c>shared_memory.SharedMemory(name).unlink()</c>,
    /// <c>shm_unlink</c>); processes that have the block open keep it until they close it.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="false"/> when there was no such name.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name.</exception>
    public static bool Unlink(string name)
    {
        SharedMemoryNative.ThrowIfUnsupported(nameof(SharedMemory), SharedMemoryNative.SharedMemoryInstead);
        return SharedMemoryNative.UnlinkNamed(CheckName(name));
    }

    /// <summary>
    /// Removes this block's name (Python's <c>unlink()</c>): no process can open it by name any more, and the memory
    /// goes once every process that has it open has closed it.
    /// </summary>
    /// <returns><see langword="false"/> when the name was already gone.</returns>
    /// <exception cref="InvalidOperationException">The block is anonymous.</exception>
    public bool Unlink() => Name is null
        ? throw new InvalidOperationException("This SharedMemory is anonymous: it has no name to remove, and goes when the last process closes it.")
        : SharedMemoryNative.UnlinkNamed(Name);

    /// <summary>
    /// Closes this process's view of the block (Python's <c>close()</c>); the other processes keep theirs, and a named
    /// block keeps its name (see <see cref="Unlink()"/>).
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        HandleSharer.Revoke(this);
        _mapping.Dispose();
    }

    /// <summary>Describes the block.</summary>
    /// <returns>For example <c>SharedMemory('psm_1a2b', size=4096)</c> or <c>SharedMemory(anonymous, size=64)</c>.</returns>
    public override string ToString() => $"SharedMemory({(Name is null ? "anonymous" : $"'{Name}'")}, size={Size})";

    /// <summary>Gets the descriptor of the memory.</summary>
    SafeHandle IPassedByHandle<SharedMemory>.TransferHandle
    {
        get
        {
            ThrowIfDisposed();
            return _mapping.Memory;
        }
    }

    /// <summary>Gets the name (UTF-8), empty for an anonymous block.</summary>
    byte[] IPassedByHandle<SharedMemory>.TransferState => Name is null ? [] : Encoding.UTF8.GetBytes(Name);

    /// <summary>Maps the received descriptor.</summary>
    static SharedMemory IPassedByHandle<SharedMemory>.FromTransfer(SafeFileHandle handle, ReadOnlySpan<byte> state)
    {
        SharedMemoryNative.ThrowIfUnsupported(nameof(SharedMemory), SharedMemoryNative.SharedMemoryInstead);
        string? name = state.IsEmpty ? null : Encoding.UTF8.GetString(state);
        var owned = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid(); // The descriptor is the mapping's now.
        return new SharedMemory(SharedMapping.Attach(owned), name);
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string bare = name.StartsWith('/') ? name[1..] : name;
        if (bare.Length is 0 or > 200 || bare is "." or ".." ||
            !bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException(
                $"'{name}' is not a shared-memory name: use letters, digits, '_', '-' and '.', at most 200 (Python's names look like 'psm_1a2b3c4d').", nameof(name));
        }
        return bare;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(SharedMemory), "This process has disposed of its SharedMemory; other processes can still use theirs.");
        }
    }
}
