using MessagePack;

namespace Concur.Serialization;

/// <summary>The <see cref="Invoker"/> for <see cref="Func{TResult}"/> of <see cref="Task{TResult}"/>: calls, awaits, writes the result.</summary>
/// <typeparam name="TResult">The declared result type, unwrapped from the task.</typeparam>
internal sealed class AsyncFuncInvoker<TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result) =>
        Write(ref result, Await(((Func<Task<TResult>>)function)()));
}

/// <summary>The <see cref="Invoker"/> for <see cref="Func{T, TResult}"/> of <see cref="Task{TResult}"/>: reads the argument, calls, awaits, writes the result.</summary>
/// <typeparam name="T">The declared argument type.</typeparam>
/// <typeparam name="TResult">The declared result type, unwrapped from the task.</typeparam>
internal sealed class AsyncFuncInvoker<T, TResult> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        T argument = Read<T>(ref arguments);
        Write(ref result, Await(((Func<T, Task<TResult>>)function)(argument)));
    }
}
