using System.Globalization;

namespace Concur.Tests.Ipc;

/// <summary>What the kernel lists of the handle sharers' abstract sockets (<c>/proc/net/unix</c>, where an abstract name shows as <c>@name</c>).</summary>
internal static class SharerSockets
{
    /// <summary>Gets a value indicating whether a sharer of process <paramref name="pid"/> is listening now.</summary>
    public static bool ExistsFor(int pid)
    {
        string prefix = "@concur-share-" + pid.ToString(CultureInfo.InvariantCulture) + "-";
        return File.ReadLines("/proc/net/unix").Any(line => line.Contains(prefix, StringComparison.Ordinal));
    }

    /// <summary>Lists what processes <paramref name="pids"/> left in /dev/shm and in the temporary folder under Concur's names.</summary>
    public static string[] FilesLeftBy(IEnumerable<int> pids) =>
        pids.SelectMany(pid =>
        {
            string tag = "concur-" + pid.ToString(CultureInfo.InvariantCulture) + "-";
            return Directory.GetFiles("/dev/shm", "*" + tag + "*").Concat(Directory.GetFiles(Path.GetTempPath(), tag + "*"));
        }).ToArray();
}
