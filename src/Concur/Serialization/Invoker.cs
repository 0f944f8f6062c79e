using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Calls a delegate of one signature in the worker: reads each argument by its declared type, calls, and writes the
/// result by its declared type. One closed generic invoker per signature, so no reflection per call.
/// </summary>
internal abstract class Invoker
{
    /// <summary>Creates the invoker for <paramref name="delegateType"/> (Func or Action with up to three parameters).</summary>
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
            _ when definition == typeof(Func<,,,>) => typeof(FuncInvoker<,,,>),
            _ when definition == typeof(Action<>) => typeof(ActionInvoker<>),
            _ when definition == typeof(Action<,>) => typeof(ActionInvoker<,>),
            _ when definition == typeof(Action<,,>) => typeof(ActionInvoker<,,>),
            _ => throw new NotSupportedException($"Delegate type {delegateType} is not supported."),
        };
        return (Invoker)Activator.CreateInstance(open.MakeGenericType(a))!;
    }

    /// <summary>Reads the arguments, calls <paramref name="function"/>, writes the result (nil for an action).</summary>
    public abstract void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result);

    /// <summary>
    /// Reads an array of argument items (single values, or tuples for several parameters), calls the function on each
    /// and writes the array of results.
    /// </summary>
    public virtual void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result) =>
        throw new NotSupportedException("Only functions of one or two parameters can be mapped.");

    /// <summary>Reads one value of <typeparamref name="T"/>.</summary>
    protected static T Read<T>(ref MessagePackReader reader) => Payload.Read<T>(ref reader);

    /// <summary>Writes one value of <typeparamref name="T"/>.</summary>
    protected static void Write<T>(ref MessagePackWriter writer, T value) => Payload.Write(ref writer, value);
}

internal sealed class FuncInvoker<TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result) =>
        Write(ref result, ((Func<TResult>)function)());
}

internal sealed class FuncInvoker<T, TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T argument = Read<T>(ref arguments);
        Write(ref result, ((Func<T, TResult>)function)(argument));
    }

    public override void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        var f = (Func<T, TResult>)function;
        T[] items = Read<T[]>(ref arguments);
        var results = new TResult[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            results[i] = f(items[i]);
        }
        Write(ref result, results);
    }
}

internal sealed class FuncInvoker<T1, T2, TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T1 a = Read<T1>(ref arguments);
        T2 b = Read<T2>(ref arguments);
        Write(ref result, ((Func<T1, T2, TResult>)function)(a, b));
    }

    public override void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        var f = (Func<T1, T2, TResult>)function;
        (T1, T2)[] items = Read<(T1, T2)[]>(ref arguments);
        var results = new TResult[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            results[i] = f(items[i].Item1, items[i].Item2);
        }
        Write(ref result, results);
    }
}

internal sealed class FuncInvoker<T1, T2, T3, TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T1 a = Read<T1>(ref arguments);
        T2 b = Read<T2>(ref arguments);
        T3 c = Read<T3>(ref arguments);
        Write(ref result, ((Func<T1, T2, T3, TResult>)function)(a, b, c));
    }
}

internal sealed class ActionInvoker : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        ((Action)function)();
        result.WriteNil();
    }
}

internal sealed class ActionInvoker<T> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        ((Action<T>)function)(Read<T>(ref arguments));
        result.WriteNil();
    }
}

internal sealed class ActionInvoker<T1, T2> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T1 a = Read<T1>(ref arguments);
        T2 b = Read<T2>(ref arguments);
        ((Action<T1, T2>)function)(a, b);
        result.WriteNil();
    }
}

internal sealed class ActionInvoker<T1, T2, T3> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T1 a = Read<T1>(ref arguments);
        T2 b = Read<T2>(ref arguments);
        T3 c = Read<T3>(ref arguments);
        ((Action<T1, T2, T3>)function)(a, b, c);
        result.WriteNil();
    }
}
