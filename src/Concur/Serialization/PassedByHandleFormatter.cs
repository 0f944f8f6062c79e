using Concur.Ipc.Internal;
using MessagePack;
using MessagePack.Formatters;
using Microsoft.Win32.SafeHandles;

namespace Concur.Serialization;

/// <summary>
/// The formatter for every type whose values travel as the operating-system object they stand for
/// (<see cref="IPassedByHandle{TSelf}"/>: a connection end, a queue): what is written is where and how to take the
/// handle, and reading takes it from the sending process and rebuilds the object.
/// </summary>
/// <remarks>
/// The wire form is an array of four: the sender's sharer name (a string; its abstract socket name without the
/// leading NUL), the sender's pid, the 16-byte ticket, and the object's state bytes. <see langword="null"/> is nil.
/// Inside a round-trip check (<see cref="IdentityRoundTrip"/>) the form is an integer instead, and reads back as the
/// same object. Writing registers the object with this process's <see cref="HandleSharer"/> (once per object);
/// reading connects to the sender's sharer, so the sender must keep the object open until then.
/// </remarks>
/// <typeparam name="T">The type passed by handle.</typeparam>
internal sealed class PassedByHandleFormatter<T> : IMessagePackFormatter<T?>
    where T : class, IPassedByHandle<T>
{
    /// <summary>The one instance.</summary>
    public static readonly PassedByHandleFormatter<T> Instance = new();

    private const int Fields = 4;

    private PassedByHandleFormatter()
    {
    }

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        if (IdentityRoundTrip.IsActive)
        {
            writer.Write(IdentityRoundTrip.Keep(value));
            return;
        }
        byte[] state = value.TransferState;
        if (state.Length > HandleSharer.MaxStateLength)
        {
            throw new InvalidOperationException($"{CSharpName.Of(typeof(T))} sends {state.Length} state bytes with its handle; at most {HandleSharer.MaxStateLength} may go.");
        }
        HandleSharer.Grant grant = HandleSharer.Register(value);
        writer.WriteArrayHeader(Fields);
        writer.Write(grant.Name);
        writer.Write(grant.Pid);
        writer.Write(grant.Ticket);
        writer.Write(state);
    }

    /// <inheritdoc/>
    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        if (IdentityRoundTrip.IsActive && reader.NextMessagePackType == MessagePackType.Integer)
        {
            return (T)IdentityRoundTrip.Get(reader.ReadInt32());
        }
        string typeName = HandleSharer.ShortName(typeof(T));
        if (reader.ReadArrayHeader() != Fields)
        {
            throw new MessagePackSerializationException($"Malformed {typeName}: a value passed by handle is an array of {Fields}.");
        }
        string name = reader.ReadString() ?? string.Empty;
        int pid = reader.ReadInt32();
        byte[] ticket = ReadBytes(ref reader);
        byte[] state = ReadBytes(ref reader);
        if (state.Length > HandleSharer.MaxStateLength)
        {
            throw new MessagePackSerializationException($"Malformed {typeName}: {state.Length} state bytes.");
        }
        SafeFileHandle handle = HandleSharer.Take(name, pid, ticket, typeName);
        try
        {
            return T.FromTransfer(handle, state);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static byte[] ReadBytes(ref MessagePackReader reader) =>
        reader.ReadBytes() is { } bytes ? System.Buffers.BuffersExtensions.ToArray(bytes) : [];
}
