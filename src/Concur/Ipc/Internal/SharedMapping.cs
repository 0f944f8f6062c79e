using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>
/// A mapping of anonymous shared memory into this process, and the descriptor that names the memory (which other
/// processes receive to map it too). A <see cref="SafeHandle"/>, so that code reading the memory holds a reference
/// (<see cref="SafeHandle.DangerousAddRef"/>) and a concurrent <see cref="SafeHandle.Dispose()"/> unmaps only after the
/// last reader is done, never under it.
/// </summary>
internal sealed unsafe class SharedMapping : SafeHandle
{
    private SharedMapping(SafeFileHandle memory, byte* address, long length)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Memory = memory;
        Address = address;
        Length = length;
        SetHandle((IntPtr)address);
    }

    /// <summary>Gets the descriptor of the shared memory, which another process needs to map it.</summary>
    public SafeFileHandle Memory { get; }

    /// <summary>Gets the first byte of the mapping. Valid while a reference is held.</summary>
    public byte* Address { get; }

    /// <summary>Gets the length of the mapping in bytes.</summary>
    public long Length { get; }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Creates zero-filled shared memory of <paramref name="length"/> bytes and maps it.</summary>
    /// <param name="name">The name the memory shows as in <c>/proc/&lt;pid&gt;/fd</c>.</param>
    /// <param name="length">The size in bytes.</param>
    /// <param name="inheritable">Whether a child process started while <see cref="Memory"/> is open inherits it.</param>
    public static SharedMapping Create(string name, long length, bool inheritable = false)
    {
        SafeFileHandle memory = SharedMemoryNative.CreateMemory(name, length, inheritable);
        try
        {
            return new SharedMapping(memory, SharedMemoryNative.Map(memory, length), length);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Maps shared memory that another process created, taking ownership of <paramref name="memory"/>.</summary>
    public static SharedMapping Attach(SafeFileHandle memory)
    {
        try
        {
            long length = RandomAccess.GetLength(memory);
            return new SharedMapping(memory, SharedMemoryNative.Map(memory, length), length);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        SharedMemoryNative.Unmap((byte*)handle, Length);
        Memory.Dispose();
        return true;
    }
}
