namespace Concur.Ipc.Managers.Internal;

/// <summary>The kinds of object a manager server holds.</summary>
internal enum ManagerKind : byte
{
    /// <summary>A dictionary (<see cref="ManagerDict{TKey, TValue}"/>).</summary>
    Dict = 1,

    /// <summary>A list (<see cref="ManagerList{T}"/>).</summary>
    List = 2,

    /// <summary>A namespace (<see cref="ManagerNamespace"/>): a dictionary from names to values of any type.</summary>
    Namespace = 3,

    /// <summary>A queue (<see cref="ManagerQueue{T}"/>).</summary>
    Queue = 4,

    /// <summary>An instance of a registered type (<see cref="ManagerObject{T}"/>).</summary>
    Object = 5,
}
