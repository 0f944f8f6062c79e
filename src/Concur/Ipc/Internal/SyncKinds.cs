namespace Concur.Ipc.Internal;

/// <summary>What kind of public primitive a <see cref="SyncMemory"/> backs, recorded in it when it is created.</summary>
internal static class SyncKinds
{
    /// <summary>A <see cref="ProcessLock"/>.</summary>
    public const int Lock = 1;

    /// <summary>A <see cref="ProcessEvent"/>.</summary>
    public const int Event = 2;

    /// <summary>A <c>ProcessSemaphore</c>.</summary>
    public const int Semaphore = 3;

    /// <summary>A <c>ProcessReentrantLock</c>.</summary>
    public const int ReentrantLock = 4;

    /// <summary>A <c>ProcessBarrier</c>.</summary>
    public const int Barrier = 5;
}
