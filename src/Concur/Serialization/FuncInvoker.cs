using MessagePack;

namespace Concur.Serialization;

/// <summary>The <see cref="Invoker"/> for <see cref="Func{TResult}"/>.</summary>
/// <typeparam name="TResult">The declared result type.</typeparam>
internal sealed class FuncInvoker<TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result) =>
        Write(ref result, ((Func<TResult>)function)());
}

/// <summary>The <see cref="Invoker"/> for <see cref="Func{T, TResult}"/>; the only one that can map chunks of single items.</summary>
/// <typeparam name="T">The declared argument type.</typeparam>
/// <typeparam name="TResult">The declared result type.</typeparam>
internal sealed class FuncInvoker<T, TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T argument = Read<T>(ref arguments);
        Write(ref result, ((Func<T, TResult>)function)(argument));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The first item that throws ends the chunk; the answer carries the results before it and its exception
    /// (<see cref="ChunkAnswer"/>), so the parent yields those results and throws at that item.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "An item's exception is part of the chunk's answer.")]
    public override void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        var f = (Func<T, TResult>)function;
        T[] items = Read<T[]>(ref arguments);
        var results = new TResult[items.Length];
        int done = 0;
        Exception? error = null;
        try
        {
            for (; done < items.Length; done++)
            {
                results[done] = f(items[done]);
            }
        }
        catch (Exception e)
        {
            error = e;
            Array.Resize(ref results, done);
        }
        ChunkAnswer.Write(ref result, results, error);
    }
}

/// <summary>The <see cref="Invoker"/> for <see cref="Func{T1, T2, TResult}"/>; maps chunks of pairs (Starmap).</summary>
/// <typeparam name="T1">The declared first argument type.</typeparam>
/// <typeparam name="T2">The declared second argument type.</typeparam>
/// <typeparam name="TResult">The declared result type.</typeparam>
internal sealed class FuncInvoker<T1, T2, TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T1 a = Read<T1>(ref arguments);
        T2 b = Read<T2>(ref arguments);
        Write(ref result, ((Func<T1, T2, TResult>)function)(a, b));
    }

    /// <inheritdoc/>
    /// <remarks>As for one parameter: the first pair that throws ends the chunk (<see cref="ChunkAnswer"/>).</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "An item's exception is part of the chunk's answer.")]
    public override void InvokeChunk(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        var f = (Func<T1, T2, TResult>)function;
        (T1, T2)[] items = Read<(T1, T2)[]>(ref arguments);
        var results = new TResult[items.Length];
        int done = 0;
        Exception? error = null;
        try
        {
            for (; done < items.Length; done++)
            {
                results[done] = f(items[done].Item1, items[done].Item2);
            }
        }
        catch (Exception e)
        {
            error = e;
            Array.Resize(ref results, done);
        }
        ChunkAnswer.Write(ref result, results, error);
    }
}
