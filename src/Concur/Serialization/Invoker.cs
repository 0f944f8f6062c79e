using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Calls a delegate of one signature in the worker: reads each argument by its declared type, calls, and writes the
/// result by its declared type. One closed generic invoker per signature, so no reflection per call.
/// </summary>
internal abstract class Invoker
{
    /// <summary>Creates the invoker for <paramref name="delegateType"/> (the signatures the public API accepts: Action, Action&lt;T&gt;, Func with up to two parameters).</summary>
    public static Invoker For(Type delegateType)
    {
        if (delegateType == typeof(Action))
        {
            return new ActionInvoker();
        }
        Type definition = delegateType.GetGenericTypeDefinition();
        Type[] a = delegateType.GetGenericArguments();
        Type open = definition switch
        {
            _ when definition == typeof(Func<>) => typeof(FuncInvoker<>),
            _ when definition == typeof(Func<,>) => typeof(FuncInvoker<,>),
            _ when definition == typeof(Func<,,>) => typeof(FuncInvoker<,,>),
            _ when definition == typeof(Action<>) => typeof(ActionInvoker<>),
            _ => throw new NotSupportedException($"Delegate type {delegateType} is not supported."),
        };
        return (Invoker)Activator.CreateInstance(open.MakeGenericType(a))!;
    }

    /// <summary>Reads the arguments, calls <paramref name="function"/>, writes the result (nil for an action).</summary>
    public abstract void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result);

    /// <summary>
    /// Reads an array of argument items (single values, or tuples for several parameters), calls the function on each
    /// until one throws, and writes the results so far with that exception (<see cref="ChunkAnswer"/>).
    /// </summary>
    public virtual void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result) =>
        throw new NotSupportedException("Only functions of one or two parameters can be mapped.");

    /// <summary>Reads one value of <typeparamref name="T"/>.</summary>
    protected static T Read<T>(ref MessagePackReader reader) => Payload.Read<T>(ref reader);

    /// <summary>Writes one value of <typeparamref name="T"/>.</summary>
    protected static void Write<T>(ref MessagePackWriter writer, T value) => Payload.Write(ref writer, value);
}
