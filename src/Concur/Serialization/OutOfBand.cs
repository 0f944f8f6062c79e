using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// The arrays of primitive numbers that travel beside a message's MessagePack body instead of inside it, as pickle
/// protocol 5's out-of-band buffers do (PEP 574): the body holds a small reference (a MessagePack extension with the
/// array's index), and the array's bytes go over the pipe on their own, written straight from the array and read
/// straight into the new one. A 100 MiB <c>double[]</c> then costs no encoding, no intermediate buffer and no copy
/// on the receiving side beyond the pipe's own.
/// </summary>
/// <remarks>
/// <para>
/// The context is per thread and per message: the transport opens it with <see cref="Use"/> around the serializer's
/// call, and <see cref="RawArrays"/> consults <see cref="Current"/>. Outside such a scope (the Submit-time round-trip
/// check, the allowlist frames, a value written to a stream) arrays travel in the body as before.
/// </para>
/// <para>
/// When the sender keeps working with the value after the message is built (a caller's argument at Submit), the
/// context takes a snapshot of each array (<see cref="Snapshots"/>): a value either arrives as it was when it was
/// sent, or not at all. A worker's result is not touched again once it is returned, so it travels without a copy.
/// </para>
/// </remarks>
internal sealed class OutOfBand
{
    /// <summary>
    /// Arrays of at least this many bytes travel out of band. Below it, the copy into the body is cheaper than a frame
    /// of its own (a 13-byte header and a write call), and small frames are coalesced into one write.
    /// </summary>
    public const int Threshold = 64 * 1024;

    /// <summary>The MessagePack extension type code of an out-of-band reference; its payload is the index, 4 bytes big-endian.</summary>
    public const sbyte ExtensionType = 40;

    /// <summary>The largest array that travels: its frame's length prefix is an <see cref="int"/>.</summary>
    public const int MaxArrayBytes = int.MaxValue - 64;

#pragma warning disable IDE1006 // t_ for a [ThreadStatic] field (dotnet/runtime's convention); the rule cannot see the attribute.
    [ThreadStatic]
    private static OutOfBand? t_current;
#pragma warning restore IDE1006

    private List<Array>? _outgoing; // Made by the first array written: most messages have none.
    private readonly IReadOnlyList<Array> _incoming;
    private readonly bool[] _taken;

    private OutOfBand(IReadOnlyList<Array> incoming, bool snapshots)
    {
        _incoming = incoming;
        _taken = incoming.Count == 0 ? [] : new bool[incoming.Count];
        Snapshots = snapshots;
    }

    /// <summary>Gets the context of the message being written or read on this thread, if any.</summary>
    public static OutOfBand? Current => t_current;

    /// <summary>Gets a value indicating whether arrays are copied when they are written (the sender may change them later).</summary>
    public bool Snapshots { get; }

    /// <summary>Gets the arrays that came with the message being read.</summary>
    public IReadOnlyList<Array> Incoming => _incoming;

    /// <summary>Gets the arrays written, in the order their references appear in the body.</summary>
    public IReadOnlyList<Array> Outgoing => (IReadOnlyList<Array>?)_outgoing ?? [];

    /// <summary>Starts a context for writing a message.</summary>
    /// <param name="snapshots">Whether to copy each array (see <see cref="Snapshots"/>).</param>
    public static OutOfBand ForWriting(bool snapshots) => new([], snapshots);

    /// <summary>Starts a context for reading a message whose arrays have arrived, and for writing its answer without copies.</summary>
    /// <param name="incoming">The arrays that came with the message, in the order they arrived.</param>
    public static OutOfBand ForReading(IReadOnlyList<Array> incoming) => new(incoming, snapshots: false);

    /// <summary>Makes <paramref name="context"/> the current context until the returned scope is disposed.</summary>
    public static Scope Use(OutOfBand? context)
    {
        OutOfBand? previous = t_current;
        t_current = context;
        return new Scope(previous);
    }

    /// <summary>Gets the size of an array's elements in bytes.</summary>
    public static long ByteLength(Array array) => (long)array.Length * ElementSize(array.GetType().GetElementType()!);

    /// <summary>Gets the bytes of an array of a primitive numeric type.</summary>
    public static ReadOnlySpan<byte> BytesOf(Array array) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), checked((int)ByteLength(array)));

    /// <summary>Gets the writable bytes of an array of a primitive numeric type.</summary>
    public static Span<byte> WritableBytesOf(Array array) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked((int)ByteLength(array)));

    /// <summary>Writes <paramref name="values"/> as a reference and keeps the array (or its snapshot) for the transport.</summary>
    public void Write<T>(ref MessagePackWriter writer, T[] values)
        where T : unmanaged
    {
        if ((long)values.Length * Unsafe.SizeOf<T>() > MaxArrayBytes)
        {
            throw new MessagePackSerializationException(
                $"a {typeof(T).Name}[] of {values.Length:N0} elements is larger than one message to or from a worker " +
                $"process can carry ({MaxArrayBytes:N0} bytes); send the data in parts (for example with Map over slices), or through a file");
        }
        T[] kept = values;
        if (Snapshots)
        {
            kept = GC.AllocateUninitializedArray<T>(values.Length);
            Platform.ProcessPlatform.Current.Prefault(MemoryMarshal.AsBytes(kept.AsSpan()));
            values.AsSpan().CopyTo(kept);
        }
        _outgoing ??= [];
        int index = _outgoing.Count;
        _outgoing.Add(kept);
        writer.WriteExtensionFormatHeader(new ExtensionHeader(ExtensionType, 4));
        Span<byte> payload = writer.GetSpan(4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(payload, index);
        writer.Advance(4);
    }

    /// <summary>Reads a reference written by <see cref="Write{T}"/> and returns the array it names.</summary>
    /// <exception cref="MessagePackSerializationException">The reference is malformed, names no array, an array of another type, or one already used.</exception>
    public T[] Read<T>(ref MessagePackReader reader)
        where T : unmanaged
    {
        ExtensionHeader header = reader.ReadExtensionFormatHeader();
        if (header.TypeCode != ExtensionType || header.Length != 4)
        {
            throw new MessagePackSerializationException(
                $"Expected a {typeof(T).Name}[] or a reference to one, found extension type {header.TypeCode} of {header.Length} bytes.");
        }
        Span<byte> payload = stackalloc byte[4];
        System.Buffers.BuffersExtensions.CopyTo(reader.ReadRaw(4), payload);
        int index = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload);
        if ((uint)index >= (uint)_incoming.Count)
        {
            throw new MessagePackSerializationException(
                $"A reference to out-of-band array {index}, but the message brought {_incoming.Count} arrays.");
        }
        if (_incoming[index] is not T[] array)
        {
            throw new MessagePackSerializationException(
                $"Out-of-band array {index} is a {_incoming[index].GetType().Name}, where a {typeof(T).Name}[] was expected.");
        }
        if (_taken[index])
        {
            throw new MessagePackSerializationException($"Out-of-band array {index} is referenced twice.");
        }
        _taken[index] = true;
        return array;
    }

    /// <summary>Checks that the body referred to every array that came with it.</summary>
    /// <exception cref="MessagePackSerializationException">An array was never referred to.</exception>
    public void EnsureAllTaken()
    {
        if (Array.IndexOf(_taken, false) is int unused and >= 0)
        {
            throw new MessagePackSerializationException(
                $"Out-of-band array {unused} of {_incoming.Count} came with the message but its body never refers to it.");
        }
    }

    /// <summary>Gets the element type of arrays sent with <paramref name="code"/>, or <see langword="null"/> for an unknown code.</summary>
    public static Type? ElementType(TypeCode code) => code switch
    {
        TypeCode.Byte => typeof(byte),
        TypeCode.SByte => typeof(sbyte),
        TypeCode.Int16 => typeof(short),
        TypeCode.UInt16 => typeof(ushort),
        TypeCode.Char => typeof(char),
        TypeCode.Int32 => typeof(int),
        TypeCode.UInt32 => typeof(uint),
        TypeCode.Int64 => typeof(long),
        TypeCode.UInt64 => typeof(ulong),
        TypeCode.Single => typeof(float),
        TypeCode.Double => typeof(double),
        _ => null,
    };

    /// <summary>
    /// Allocates an array of <paramref name="count"/> elements of <paramref name="elementType"/> for the transport to
    /// fill, without zeroing it first (every byte is written before anyone reads it).
    /// </summary>
    public static Array Allocate(Type elementType, int count)
    {
        Array array = AllocateUninitialized(elementType, count);
        Platform.ProcessPlatform.Current.Prefault(WritableBytesOf(array));
        return array;
    }

    private static Array AllocateUninitialized(Type elementType, int count) => Type.GetTypeCode(elementType) switch
    {
        TypeCode.Byte => GC.AllocateUninitializedArray<byte>(count),
        TypeCode.SByte => GC.AllocateUninitializedArray<sbyte>(count),
        TypeCode.Int16 => GC.AllocateUninitializedArray<short>(count),
        TypeCode.UInt16 => GC.AllocateUninitializedArray<ushort>(count),
        TypeCode.Char => GC.AllocateUninitializedArray<char>(count),
        TypeCode.Int32 => GC.AllocateUninitializedArray<int>(count),
        TypeCode.UInt32 => GC.AllocateUninitializedArray<uint>(count),
        TypeCode.Int64 => GC.AllocateUninitializedArray<long>(count),
        TypeCode.UInt64 => GC.AllocateUninitializedArray<ulong>(count),
        TypeCode.Single => GC.AllocateUninitializedArray<float>(count),
        TypeCode.Double => GC.AllocateUninitializedArray<double>(count),
        _ => throw new ArgumentException($"{elementType} is not a primitive numeric type.", nameof(elementType)),
    };

    /// <summary>Gets the size in bytes of one element of <paramref name="elementType"/>.</summary>
    public static int ElementSize(Type elementType) => Type.GetTypeCode(elementType) switch
    {
        TypeCode.Byte or TypeCode.SByte => 1,
        TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Char => 2,
        TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Single => 4,
        TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Double => 8,
        _ => throw new ArgumentException($"{elementType} is not a primitive numeric type.", nameof(elementType)),
    };

    /// <summary>Restores the previous context when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly OutOfBand? _previous;

        internal Scope(OutOfBand? previous) => _previous = previous;

        /// <inheritdoc/>
        public void Dispose() => t_current = _previous;
    }
}
