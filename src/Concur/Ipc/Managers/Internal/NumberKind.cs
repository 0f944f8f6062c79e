namespace Concur.Ipc.Managers.Internal;

/// <summary>The number types a dictionary increments in the server.</summary>
internal enum NumberKind : byte
{
    /// <summary><see cref="int"/>.</summary>
    Int32 = 1,

    /// <summary><see cref="long"/>.</summary>
    Int64 = 2,

    /// <summary><see cref="double"/>.</summary>
    Double = 3,
}
