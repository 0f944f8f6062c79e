using System.Globalization;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Sharing;

/// <summary>
/// The leak check of the shared-memory tests, run after each test: no process (this one, a child, a pool worker)
/// still holds a memfd this test process made for a <see cref="SharedMemory"/>, <see cref="SharedValue{T}"/> or
/// <see cref="SharedArray{T}"/> (they show as <c>memfd:concur-shm|value|array-&lt;pid&gt;-n</c> in <c>/proc</c>), and
/// nothing named for this process is in <c>/dev/shm</c> or the temporary folder.
/// </summary>
public abstract class SharedLeaks : IDisposable
{
    private static readonly string[] s_memfds =
        [.. new[] { "shm", "value", "array" }.Select(k => $"memfd:concur-{k}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-")];

    /// <summary>Gets the processes that have one of this process's shared blocks open or mapped, from /proc.</summary>
    public static int[] Holders() => Holders(s_memfds);

    /// <summary>Gets the processes that have open or mapped a file whose name contains one of <paramref name="names"/>.</summary>
    public static int[] Holders(params string[] names)
    {
        var holders = new SortedSet<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }
            try
            {
                if (File.ReadLines(Path.Combine(dir, "maps")).Any(l => names.Any(n => l.Contains(n, StringComparison.Ordinal))) ||
                    Directory.GetFiles(Path.Combine(dir, "fd")).Any(fd => File.ResolveLinkTarget(fd, returnFinalTarget: false)?.FullName is string target &&
                        names.Any(n => target.Contains(n, StringComparison.Ordinal))))
                {
                    holders.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was being read, or is not ours to read.
            }
        }
        return [.. holders];
    }

    /// <summary>Gets a new name for a named block, with the prefix the IPC collection's check looks for.</summary>
    public static string NewName(string tag) => TempFolderCheck.NewAbstractName(tag);

    /// <inheritdoc/>
    public void Dispose()
    {
        // Children are joined and pools disposed by now; a worker may take a moment to be reaped.
        Bounded.Until(() => Holders().Length == 0, "no process holds this test's shared memory");
        Assert.Empty(TempFolderCheck.Leftovers());
        GC.SuppressFinalize(this);
    }
}
