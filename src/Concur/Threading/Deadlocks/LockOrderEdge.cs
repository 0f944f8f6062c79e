namespace Concur;

/// <summary>One recorded lock order in a <see cref="LockOrderViolation"/>: <see cref="After"/> was taken while holding <see cref="Before"/>.</summary>
/// <param name="Before">The name of the lock that was held.</param>
/// <param name="After">The name of the lock that was taken while holding it.</param>
/// <param name="Thread">The thread that first took them in this order, e.g. <c>thread "transfer-1" (id 12)</c>.</param>
/// <param name="ManagedThreadId">That thread's <see cref="System.Threading.Thread.ManagedThreadId"/>.</param>
/// <param name="Stack">Where <see cref="After"/> was acquired that first time (a stack trace, innermost call first).</param>
public sealed record LockOrderEdge(string Before, string After, string Thread, int ManagedThreadId, string Stack);
