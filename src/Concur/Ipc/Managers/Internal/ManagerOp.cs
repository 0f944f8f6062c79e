namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// The first byte of a request to a manager server: what to do with the object the request names. One byte, so the
/// server dispatches with one switch and no strings; the numbers are the protocol, never reuse one.
/// </summary>
internal enum ManagerOp : byte
{
    /// <summary>Gets or creates an object: kind (1 byte), name (string, empty for a new unnamed object), signature (string), then the kind's own arguments. Answers its id (8 bytes).</summary>
    Open = 1,

    /// <summary>Answers Ok at once: the client's liveness check.</summary>
    Ping = 2,

    /// <summary>Dictionary: the value stored under a key, or Missing.</summary>
    DictGet = 10,

    /// <summary>Dictionary: stores a value under a key.</summary>
    DictSet = 11,

    /// <summary>Dictionary: stores a value only if the key is absent; answers a byte, 1 if it was added.</summary>
    DictTryAdd = 12,

    /// <summary>Dictionary: removes a key; answers the removed value, or Missing.</summary>
    DictRemove = 13,

    /// <summary>Dictionary: answers a byte, 1 if the key is present.</summary>
    DictContains = 14,

    /// <summary>Dictionary: answers the number of entries (4 bytes).</summary>
    DictCount = 15,

    /// <summary>Dictionary: removes every entry.</summary>
    DictClear = 16,

    /// <summary>Dictionary: answers every key and value (a count, then key and value blobs).</summary>
    DictItems = 17,

    /// <summary>Dictionary: stores many key-value pairs in one round trip (a count, then key and value blobs).</summary>
    DictUpdate = 18,

    /// <summary>Dictionary: answers, for each key sent, a presence byte and the value (a count, then key blobs).</summary>
    DictGetMany = 19,

    /// <summary>Dictionary: replaces the value under a key only if the stored value's bytes equal the expected ones; answers a byte.</summary>
    DictTryUpdate = 20,

    /// <summary>Dictionary: stores a value if the key is absent; answers the stored value either way.</summary>
    DictGetOrAdd = 21,

    /// <summary>Dictionary: adds a number to the number under a key (absent counts as zero); answers the new number.</summary>
    DictIncrement = 22,

    /// <summary>Dictionary: answers every key (a count, then key blobs).</summary>
    DictKeys = 23,

    /// <summary>List: appends an item.</summary>
    ListAdd = 40,

    /// <summary>List: appends many items (a count, then blobs).</summary>
    ListAddRange = 41,

    /// <summary>List: the item at an index.</summary>
    ListGet = 42,

    /// <summary>List: replaces the item at an index.</summary>
    ListSet = 43,

    /// <summary>List: answers the number of items.</summary>
    ListCount = 44,

    /// <summary>List: inserts an item at an index.</summary>
    ListInsert = 45,

    /// <summary>List: removes the item at an index and answers it.</summary>
    ListRemoveAt = 46,

    /// <summary>List: removes every item.</summary>
    ListClear = 47,

    /// <summary>List: answers every item (a count, then blobs).</summary>
    ListItems = 48,

    /// <summary>Queue: puts an item, waiting up to a timeout (milliseconds, -1 for ever) for room; Full when none came.</summary>
    QueuePut = 60,

    /// <summary>Queue: takes an item, waiting up to a timeout (milliseconds, -1 for ever); Empty when none came.</summary>
    QueueGet = 61,

    /// <summary>Queue: answers the number of items.</summary>
    QueueCount = 62,

    /// <summary>Registered object: calls a method (its signature, then the argument blobs) and answers its result or its exception.</summary>
    ObjectCall = 80,

    /// <summary>Registered object: answers a copy of the whole object.</summary>
    ObjectGet = 81,
}
