namespace Concur;

/// <summary>One blocked acquirer in a <see cref="LockState"/>.</summary>
/// <param name="Waiter">Who waits: a thread or an async acquisition.</param>
/// <param name="ManagedThreadId">The waiting thread's managed id, or <see langword="null"/> for an async acquisition.</param>
/// <param name="WaitingFor">How long it has been waiting.</param>
public sealed record LockWaiterState(string Waiter, int? ManagedThreadId, TimeSpan WaitingFor);
