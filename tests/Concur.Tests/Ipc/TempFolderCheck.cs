using System.Globalization;

namespace Concur.Tests.Ipc;

/// <summary>
/// Fails the run (as a collection cleanup failure) if anything made by this process is left after the IPC tests: a
/// Unix socket file in the temporary folder, a segment in <c>/dev/shm</c>, or a socket still bound to an abstract name
/// (a listener or a connection that was never disposed). Every listener, Concur's or a Python one the tests started,
/// must remove its own. Names are recognised by the prefix Concur gives them, <c>concur-&lt;pid&gt;-*</c>.
/// </summary>
public sealed class TempFolderCheck : IDisposable
{
    /// <summary>The folder of POSIX shared-memory segments on Linux.</summary>
    public const string SharedMemoryFolder = "/dev/shm";

    /// <summary>The name prefix of every socket file and abstract name this test process makes.</summary>
    public static readonly string Prefix = PrefixOf(Environment.ProcessId);

    /// <summary>The name prefix of what the process <paramref name="pid"/> makes: <c>concur-&lt;pid&gt;-</c>.</summary>
    public static string PrefixOf(int pid) => "concur-" + pid.ToString(CultureInfo.InvariantCulture) + "-";

    /// <summary>Lists the socket files of this process now in the temporary folder.</summary>
    public static string[] Leftovers() => Leftovers(Environment.ProcessId);

    /// <summary>Lists the files named for the process <paramref name="pid"/> in the temporary folder and in <c>/dev/shm</c>.</summary>
    public static string[] Leftovers(int pid)
    {
        string prefix = PrefixOf(pid);
        var files = new List<string>(Directory.GetFiles(Path.GetTempPath(), prefix + "*"));
        if (Directory.Exists(SharedMemoryFolder))
        {
            files.AddRange(Directory.GetFileSystemEntries(SharedMemoryFolder, "*" + prefix + "*"));
        }
        return [.. files];
    }

    /// <summary>
    /// Lists the names of the Unix sockets of this network namespace now bound (listening or accepted), from
    /// <c>/proc/net/unix</c>, with an abstract name's NUL printed as <c>@</c> (as .NET's <c>UnixDomainSocketEndPoint.ToString</c> does).
    /// </summary>
    public static HashSet<string> UnixSocketNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            string[] columns = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length == 8)
            {
                names.Add(columns[7]);
            }
        }
        return names;
    }

    /// <summary>Lists the abstract names of this process's sockets still bound, as <c>@concur-&lt;pid&gt;-…</c>.</summary>
    public static string[] BoundAbstractNames(int pid) =>
        [.. UnixSocketNames().Where(name => name.StartsWith("@" + PrefixOf(pid), StringComparison.Ordinal))];

    /// <summary>Gets a new path for a socket file in the temporary folder, with the checked prefix.</summary>
    public static string NewSocketPath(string tag) => Path.Combine(Path.GetTempPath(), NewAbstractName(tag) + ".sock");

    /// <summary>Gets a new name with the checked prefix (for an abstract address: <c>"\0" + name</c>).</summary>
    public static string NewAbstractName(string tag) =>
        $"{Prefix}{tag}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6)}";

    /// <inheritdoc/>
    public void Dispose()
    {
        string[] left = Leftovers();
        foreach (string file in left)
        {
            File.Delete(file);
        }
        string[] bound = OperatingSystem.IsLinux() ? BoundAbstractNames(Environment.ProcessId) : [];
        if (left.Length > 0 || bound.Length > 0)
        {
            throw new InvalidOperationException(
                "The IPC tests left files or bound sockets behind: " + string.Join(", ", left.Concat(bound)));
        }
    }
}
