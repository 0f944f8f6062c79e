using System.Buffers;
using Concur.Serialization;
using MessagePack;

namespace Concur.Processes.Internal;

/// <summary>
/// A call serialized once, at Submit, by a caller that does not run it itself (the cluster executor in
/// Concur.Cluster): the function's definition and the call's payload (captured values, then arguments) as the process
/// pool's own bytes, so a node can hand them unchanged to its local pool (<see cref="SerializedCallPool"/>). Arrays
/// travel inside the payload here (no out-of-band frames: the bytes cross a network message, not a pipe).
/// </summary>
/// <remarks>The entry points Concur.Cluster uses into the pool's internals, kept in one file so the pool can change freely behind them.</remarks>
internal static class SerializedCalls
{
    /// <summary>Checks <paramref name="function"/> as the pool does at Submit and returns its reference.</summary>
    /// <exception cref="ArgumentException">The function cannot be sent (the message says why and what to do).</exception>
    public static SerializedFunction Function(Delegate function, string paramName, bool awaited = false)
    {
        FunctionRef reference = FunctionRef.From(function, paramName, awaited);
        return new SerializedFunction(reference, CallFrames.TargetState(reference, function.Target, paramName));
    }

    /// <summary>Serializes a call without arguments: the captured values only.</summary>
    public static byte[] Payload(SerializedFunction function) => function.Target;

    /// <summary>Serializes a call with one argument, by its declared type.</summary>
    /// <exception cref="ArgumentException">The argument cannot be serialized.</exception>
    public static byte[] Payload<T>(SerializedFunction function, T argument, string paramName)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + function.Target.Length);
        buffer.Write(function.Target);
        var writer = new MessagePackWriter(buffer);
        WriteArgument(ref writer, argument, paramName);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes a call with two arguments, by their declared types.</summary>
    /// <exception cref="ArgumentException">An argument cannot be serialized.</exception>
    public static byte[] Payload<T1, T2>(SerializedFunction function, T1 first, T2 second)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + function.Target.Length);
        buffer.Write(function.Target);
        var writer = new MessagePackWriter(buffer);
        WriteArgument(ref writer, first, "argument1");
        WriteArgument(ref writer, second, "argument2");
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a single call's result, sent back by a node as <paramref name="body"/> and its out-of-band arrays.</summary>
    /// <exception cref="InvalidDataException">The bytes do not decode as a <typeparamref name="TResult"/>.</exception>
    public static TResult ReadResult<TResult>(byte[] body, IReadOnlyList<Array> arrays)
    {
        try
        {
            var reader = new MessagePackReader(body);
            var context = OutOfBand.ForReading(arrays);
            TResult value;
            using (OutOfBand.Use(context))
            {
                value = Serialization.Payload.Read<TResult>(ref reader);
            }
            context.EnsureAllTaken();
            return value;
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidDataException($"The result could not be read as {CSharpName.Of(typeof(TResult))}: {e.Message}", e);
        }
    }

    /// <summary>Reads a map chunk's answer: the results of the items that ran, and the failing item's exception if one failed.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a chunk's answer of <paramref name="items"/> items.</exception>
    public static (TResult[] Results, RemoteException? Error) ReadChunk<TResult>(byte[] body, IReadOnlyList<Array> arrays, int items)
    {
        try
        {
            (int done, RemoteException? error, ReadOnlySequence<byte> results) = ChunkAnswer.Read(new ReadOnlySequence<byte>(body), items);
            var context = OutOfBand.ForReading(arrays);
            TResult[] values;
            using (OutOfBand.Use(context))
            {
                values = ChunkAnswer.ReadResults<TResult>(results, done);
            }
            context.EnsureAllTaken();
            return (values, error);
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidDataException($"A map chunk's answer could not be read as {CSharpName.Of(typeof(TResult))}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes an exception as the pool's workers do (type name, message, stack trace, plain-data properties); a
    /// <see cref="RemoteException"/> is written as the remote exception it stands for, so it reads back unchanged.
    /// </summary>
    public static byte[] WriteError(Exception exception)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        if (exception is RemoteException remote)
        {
            writer.WriteArrayHeader(6);
            writer.Write(remote.RemoteTypeName);
            writer.Write(remote.Message);
            writer.Write(remote.RemoteStackTrace);
            writer.Write(remote.RemoteInnerException);
            WritePlainEntries(ref writer, remote.Properties);
            WritePlainEntries(ref writer, remote.Data.Keys.OfType<string>().Select(k => new KeyValuePair<string, object?>(k, remote.Data[k])));
        }
        else
        {
            RemoteError.Write(ref writer, exception);
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes entries that <see cref="RemoteError.Read"/> produced (numbers, booleans, strings, nil) back in its format.</summary>
    private static void WritePlainEntries(ref MessagePackWriter writer, IEnumerable<KeyValuePair<string, object?>> entries)
    {
        List<KeyValuePair<string, object?>> list = [.. entries.Take(RemoteError.MaxEntries)];
        writer.WriteMapHeader(list.Count);
        foreach ((string key, object? value) in list)
        {
            writer.Write(key);
            switch (value)
            {
                case null: writer.WriteNil(); break;
                case bool b: writer.Write(b); break;
                case long l: writer.Write(l); break;
                case ulong u: writer.Write(u); break;
                case double d: writer.Write(d); break;
                case float f: writer.Write(f); break;
                default: writer.Write(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }
    }

    /// <summary>Reads an exception written by <see cref="WriteError"/> or a worker.</summary>
    public static RemoteException ReadError(byte[] bytes) => RemoteError.Read(bytes);

    /// <summary>Gets an array's raw little-endian bytes (a copy) and its element <see cref="TypeCode"/>, to travel in a message.</summary>
    public static (byte TypeCode, byte[] Bytes) ArrayBytes(Array array) =>
        ((byte)Type.GetTypeCode(array.GetType().GetElementType()), OutOfBand.BytesOf(array).ToArray());

    /// <summary>Rebuilds an array sent by <see cref="ArrayBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The type code is not a primitive numeric type, or the length is not a whole number of elements.</exception>
    public static Array ArrayFrom(byte typeCode, byte[] bytes)
    {
        Type element = OutOfBand.ElementType((TypeCode)typeCode)
            ?? throw new InvalidDataException($"An out-of-band array with element type code {typeCode}, which is not a primitive numeric type.");
        int size = OutOfBand.ElementSize(element);
        if (bytes.Length % size != 0)
        {
            throw new InvalidDataException($"An out-of-band {element.Name}[] of {bytes.Length} bytes, not a whole number of {size}-byte elements.");
        }
        Array array = OutOfBand.Allocate(element, bytes.Length / size);
        bytes.CopyTo(OutOfBand.WritableBytesOf(array));
        return array;
    }

    private static void WriteArgument<T>(ref MessagePackWriter writer, T argument, string paramName)
    {
        try
        {
            using (OutOfBand.Use(null))
            {
                SendableTypes.CheckRoundTripOnce(argument);
                Serialization.Payload.Write(ref writer, argument);
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
        {
            throw new ArgumentException(SendableTypes.Refusal("The argument", typeof(T), e, "to a cluster node"), paramName, e);
        }
    }
}

/// <summary>A function checked at Submit: its reference and the captured values of this delegate.</summary>
/// <param name="Reference">The function's reference (its definition travels to nodes).</param>
/// <param name="Target">The captured values, serialized.</param>
internal sealed record SerializedFunction(FunctionRef Reference, byte[] Target)
{
    /// <summary>Gets the definition bytes (delegate type, method, closure layout).</summary>
    public byte[] Definition => Reference.Definition;

    /// <summary>Gets a readable name, e.g. <c>Program.Square</c>.</summary>
    public string Description => Reference.Description;
}

/// <summary>How to start another host assembly (a cluster node) the way the pool starts its workers: with this application's runtime configuration and dependencies.</summary>
internal static class HostLaunch
{
    /// <summary>Gets the program and the arguments that run <paramref name="hostAssembly"/> with this application's dependencies.</summary>
    /// <exception cref="InvalidOperationException">This application cannot start such processes (a single-file bundle; the message says what to do).</exception>
    public static (string FileName, IReadOnlyList<string> Prefix) For(string hostAssembly)
    {
        LaunchPlan plan = LaunchPlan.Current;
        plan.ThrowIfUnusable();
        if (plan.Prefix.Count == 0)
        {
            throw new InvalidOperationException(
                "This application cannot start cluster node processes itself (it is a single-file bundle or has no " +
                ".runtimeconfig.json). Start the nodes with `concur node --app path/to/App.dll`, and connect to them " +
                "with ClusterExecutorOptions.Redis.");
        }
        return (plan.FileName, [.. plan.Prefix.Take(plan.Prefix.Count - 1), hostAssembly]);
    }
}
