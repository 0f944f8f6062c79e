namespace Concur.Tests.Ipc;

/// <summary>
/// Tells whether a thread of this process sleeps in the kernel (in a <c>recv</c>, <c>poll</c> or <c>accept</c>), by
/// its name as Linux shows it in <c>/proc/self/task/*/comm</c> (.NET gives each thread its managed name, cut to 15
/// characters): the only way to know that a thread has really blocked in a system call, not merely started.
/// </summary>
internal static class BlockedThreads
{
    /// <summary>Gets a value indicating whether a thread named <paramref name="name"/> (15 characters at most) is asleep.</summary>
    public static bool IsAsleep(string name)
    {
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != name)
                {
                    continue;
                }
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                return stat[(stat.LastIndexOf(')') + 2)..][0] == 'S';
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return false;
    }
}
