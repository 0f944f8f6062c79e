using System.Runtime.CompilerServices;

namespace Concur.Threading.Deadlocks;

/// <summary>Every live owned lock, held weakly, for <see cref="LockDiagnostics"/>.</summary>
internal static class LockRegistry
{
    private static readonly ConditionalWeakTable<OwnedLock, object?> s_locks = new();

    public static void Register(OwnedLock @lock) => s_locks.Add(@lock, null);

    public static List<OwnedLock> Live()
    {
        var result = new List<OwnedLock>();
        foreach (var pair in s_locks)
        {
            result.Add(pair.Key);
        }
        result.Sort((a, b) => a.Id.CompareTo(b.Id));
        return result;
    }
}
