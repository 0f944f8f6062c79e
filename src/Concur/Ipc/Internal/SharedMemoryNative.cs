using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concur.Ipc.Internal;

/// <summary>
/// The Linux system calls behind the process queues: anonymous shared memory (<c>memfd_create</c>, <c>mmap</c>),
/// futex waits on words in that memory, and whether a process is still alive. Nothing here names a file: a memfd
/// lives while a descriptor or a mapping of it exists in any process, so a killed process leaves nothing behind.
/// </summary>
internal static unsafe partial class SharedMemoryNative
{
    private const uint MfdCloexec = 1;
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapShared = 0x01;
    private const int MadvRemove = 9;
    private const int FutexWait = 0;
    private const int FutexWake = 1;
    private const int Eintr = 4;
    private const int Eperm = 1;
    private const int Esrch = 3;
    private const int Eexist = 17;
    private const int Enoent = 2;
    private const int OpenReadWrite = 0x2;
    private const int OpenCreate = 0x40;
    private const int OpenExclusive = 0x80;
    private const int OpenCloexec = 0x80000;

    /// <summary>The folder where Linux keeps POSIX shared memory (<c>shm_open</c>'s names).</summary>
    public const string NamedFolder = "/dev/shm";

    // O_NOFOLLOW differs between architectures (the other open flags used here do not).
    private static readonly int s_openNoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    private static readonly long s_futexSyscall = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 or Architecture.LoongArch64 or Architecture.RiscV64 => 98,
        _ => -1,
    };

    /// <summary>Gets a value indicating whether this system has what Concur's shared memory needs (Linux on x64 or Arm64).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && s_futexSyscall >= 0;

    /// <summary>Throws when process queues are not implemented on this system.</summary>
    /// <param name="what">The type being created, for the message.</param>
    /// <param name="instead">What to use instead, for the message; by default, what replaces a process queue.</param>
    public static void ThrowIfUnsupported(string what, string? instead = null)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException(
                $"{what} needs Linux on x64 or Arm64 today (anonymous shared memory and futexes); this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}. " +
                (instead ?? "Within one process, use FifoQueue<T>; between processes on other systems, use a Connection."));
        }
    }

    /// <summary>What to use instead of Concur's shared memory on other systems, for <see cref="ThrowIfUnsupported"/>.</summary>
    public const string SharedMemoryInstead =
        "On other systems, System.IO.MemoryMappedFiles.MemoryMappedFile maps memory that several processes share.";

    /// <summary>Creates anonymous shared memory of <paramref name="size"/> bytes, zero-filled, close-on-exec unless
    /// <paramref name="inheritable"/> (then a child started while the descriptor is open inherits it).</summary>
    public static SafeFileHandle CreateMemory(string name, long size, bool inheritable = false)
    {
        int fd = memfd_create(name, inheritable ? 0 : MfdCloexec);
        if (fd < 0)
        {
            throw Failure("create shared memory (memfd_create)");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (ftruncate(fd, size) != 0)
        {
            var error = Failure($"size shared memory to {size:N0} bytes (ftruncate)");
            handle.Dispose();
            throw error;
        }
        return handle;
    }

    /// <summary>
    /// Opens, or creates (exclusively, mode 0600, sized to <paramref name="size"/>), the POSIX shared memory
    /// <c>/dev/shm/&lt;name&gt;</c>: what <c>shm_open("/name")</c> opens, so Python's
    /// <c>multiprocessing.shared_memory.SharedMemory(name)</c> sees the same memory.
    /// </summary>
    /// <exception cref="FileNotFoundException">Opening, and there is no such name.</exception>
    /// <exception cref="IOException">Creating, and the name exists; or another failure.</exception>
    public static SafeFileHandle OpenNamed(string name, bool create, long size)
    {
        string path = NamedFolder + "/" + name;
        int flags = OpenReadWrite | s_openNoFollow | OpenCloexec | (create ? OpenCreate | OpenExclusive : 0);
        int fd = open(path, flags, 0x180);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string message = Marshal.GetPInvokeErrorMessage(errno);
            throw errno switch
            {
                Enoent => new FileNotFoundException($"There is no shared memory named '{name}' ({path}).", path),
                Eexist => new IOException($"Shared memory named '{name}' exists already ({path}): choose another name, or open it.", unchecked((int)0x80070050)),
                _ => new IOException($"Could not {(create ? "create" : "open")} shared memory '{name}' ({path}): {message} (errno {errno})."),
            };
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (create && ftruncate(fd, size) != 0)
        {
            var error = Failure($"size shared memory '{name}' to {size:N0} bytes (ftruncate)");
            handle.Dispose();
            _ = unlink(path);
            throw error;
        }
        return handle;
    }

    /// <summary>Removes the name <c>/dev/shm/&lt;name&gt;</c> (<c>shm_unlink</c>); memory still mapped stays until unmapped.</summary>
    /// <returns><see langword="false"/> when there was no such name.</returns>
    public static bool UnlinkNamed(string name)
    {
        if (unlink(NamedFolder + "/" + name) == 0)
        {
            return true;
        }
        if (Marshal.GetLastPInvokeError() == Enoent)
        {
            return false;
        }
        throw Failure($"remove the shared memory name '{name}' (unlink)");
    }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="memory"/> for reading and writing, shared with every process that maps it.</summary>
    public static byte* Map(SafeFileHandle memory, long length)
    {
        bool added = false;
        memory.DangerousAddRef(ref added);
        try
        {
            void* address = mmap(null, (nuint)length, ProtReadWrite, MapShared, (int)memory.DangerousGetHandle(), 0);
            if (address == (void*)-1)
            {
                throw Failure($"map {length:N0} bytes of shared memory (mmap)");
            }
            return (byte*)address;
        }
        finally
        {
            memory.DangerousRelease();
        }
    }

    /// <summary>Unmaps what <see cref="Map"/> mapped.</summary>
    public static void Unmap(byte* address, long length) => _ = munmap(address, (nuint)length);

    /// <summary>
    /// Gives the pages of <paramref name="length"/> bytes of a shared mapping back to the system (<c>MADV_REMOVE</c>):
    /// the memory is freed in every process, and reads as zeros until written again. Best effort.
    /// </summary>
    public static void Release(byte* address, int length) => _ = madvise(address, (nuint)length, MadvRemove);

    /// <summary>
    /// Sleeps while the word at <paramref name="address"/> holds <paramref name="expected"/>, at most
    /// <paramref name="milliseconds"/>; returns early when woken, when the word differs, or on a signal.
    /// </summary>
    public static void Wait(int* address, int expected, int milliseconds)
    {
        var timeout = new TimeSpec { Seconds = milliseconds / 1000, Nanoseconds = milliseconds % 1000 * 1_000_000L };
        _ = syscall(s_futexSyscall, address, FutexWait, expected, &timeout, null, 0);
    }

    /// <summary>Wakes every process and thread sleeping in <see cref="Wait"/> on the word at <paramref name="address"/>.</summary>
    public static void WakeAll(int* address) => _ = syscall(s_futexSyscall, address, FutexWake, int.MaxValue, null, null, 0);

    /// <summary>
    /// Gets a value indicating whether process <paramref name="pid"/> still runs. A zombie (dead, not yet reaped by its
    /// parent) counts as gone. A process of another user counts as alive.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }
        if (kill(pid, 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Esrch)
            {
                return false;
            }
            if (errno != Eperm && errno != Eintr)
            {
                return false;
            }
        }
        try
        {
            // "pid (comm) S ...": the state follows the last ')', since comm may hold anything.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : 'R';
            return state is not ('Z' or 'X' or 'x');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return File.Exists($"/proc/{pid}/stat");
        }
    }

    private static IOException Failure(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"Could not {what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int* address, int operation, int value, TimeSpec* timeout, int* address2, int value3);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(void* address, nuint length, int advice);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
