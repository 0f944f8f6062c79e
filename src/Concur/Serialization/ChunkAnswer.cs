using System.Buffers;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// The body of a worker's answer to a map chunk, both ways: <c>[done, error | nil, results]</c>.
/// </summary>
/// <remarks>
/// <para>
/// A chunk stops at its first item that throws, as Python's <c>_process_chunk</c> does. <c>done</c> is how many
/// items ran without throwing, so it is the index of the failing item when <c>error</c> (written by
/// <see cref="RemoteError"/>) is present, and the chunk's length when <c>error</c> is nil; <c>results</c> is the
/// array of those <c>done</c> results, written by its declared type like any result. The parent can then yield every
/// result before the failing item and throw at that item, exactly as a map without chunks does.
/// </para>
/// <para>
/// <see cref="Read"/> checks what the protocol promises (three elements, <c>done</c> within the chunk, an error
/// exactly when <c>done</c> is short of it) and leaves the results to be deserialized by their type later; whoever
/// deserializes them checks that there are <c>done</c> of them and nothing after.
/// </para>
/// </remarks>
internal static class ChunkAnswer
{
    /// <summary>Writes the answer: the results of the items that ran (<c>done</c> is their number) and the error, if any.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="results">The results of the items before the failing one (all of them when none failed).</param>
    /// <param name="error">The exception of the item after the last result, or <see langword="null"/> when every item ran.</param>
    public static void Write<TResult>(ref MessagePackWriter writer, TResult[] results, Exception? error)
    {
        writer.WriteArrayHeader(3);
        writer.Write(results.Length);
        if (error is null)
        {
            writer.WriteNil();
        }
        else
        {
            RemoteError.Write(ref writer, error);
        }
        Payload.Write(ref writer, results);
    }

    /// <summary>Reads the answer to a chunk of <paramref name="items"/> items, up to its results.</summary>
    /// <param name="body">The answer's body.</param>
    /// <param name="items">How many items the chunk sent.</param>
    /// <returns>How many items ran, the failing item's exception, and the serialized results.</returns>
    /// <exception cref="InvalidDataException">The body breaks the shape above.</exception>
    /// <exception cref="MessagePackSerializationException">The body is not MessagePack of that shape.</exception>
    public static (int Done, RemoteException? Error, ReadOnlySequence<byte> Results) Read(ReadOnlySequence<byte> body, int items)
    {
        var reader = new MessagePackReader(body);
        int count = reader.ReadArrayHeader();
        if (count != 3)
        {
            throw new InvalidDataException($"an array of {count} elements where [done, error, results] belongs");
        }
        int done = reader.ReadInt32();
        RemoteException? error = null;
        if (!reader.TryReadNil())
        {
            ReadOnlySequence<byte> raw = reader.ReadRaw();
            error = RemoteError.Read(raw.IsSingleSegment ? raw.First : raw.ToArray());
        }
        if (done < 0 || done > items || (error is null) != (done == items))
        {
            throw new InvalidDataException(error is null
                ? $"{done} results without an error for a chunk of {items} items"
                : $"an error at item {done} of a chunk of {items} items");
        }
        return (done, error, body.Slice(reader.Position));
    }

    /// <summary>Deserializes the results <see cref="Read"/> left, checking that there are <paramref name="done"/> of them and nothing after.</summary>
    /// <exception cref="InvalidDataException">Another number of results, or bytes after them.</exception>
    /// <exception cref="MessagePackSerializationException">The results do not deserialize as <typeparamref name="TResult"/>.</exception>
    public static TResult[] ReadResults<TResult>(ReadOnlySequence<byte> results, int done)
    {
        var reader = new MessagePackReader(results);
        TResult[]? values = Payload.Read<TResult[]>(ref reader);
        if (values is null || values.Length != done || !reader.End)
        {
            throw new InvalidDataException(values is null || values.Length != done
                ? $"the worker sent {values?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} results where it announced {done}"
                : "the worker sent bytes after the results");
        }
        return values;
    }
}
