namespace Concur.Ipc.Internal;

/// <summary>What kind of public queue a <see cref="QueueRing"/> backs, recorded in its header when it is created.</summary>
internal static class QueueKinds
{
    /// <summary>A <see cref="ProcessQueue{T}"/>.</summary>
    public const int Plain = 0;

    /// <summary>A <see cref="JoinableProcessQueue{T}"/>.</summary>
    public const int Joinable = 1;

    /// <summary>A <see cref="SimpleProcessQueue{T}"/>.</summary>
    public const int Simple = 2;
}
