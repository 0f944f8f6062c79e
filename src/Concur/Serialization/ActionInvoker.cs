using MessagePack;

namespace Concur.Serialization;

/// <summary>The <see cref="Invoker"/> for <see cref="Action"/> (the result written is nil).</summary>
internal sealed class ActionInvoker : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        ((Action)function)();
        result.WriteNil();
    }
}

/// <summary>The <see cref="Invoker"/> for <see cref="Action{T}"/>.</summary>
/// <typeparam name="T">The declared argument type.</typeparam>
internal sealed class ActionInvoker<T> : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        ((Action<T>)function)(Read<T>(ref arguments));
        result.WriteNil();
    }
}

/// <summary>The <see cref="Invoker"/> for <see cref="Action{T1, T2}"/>.</summary>
/// <typeparam name="T1">The declared first argument type.</typeparam>
/// <typeparam name="T2">The declared second argument type.</typeparam>
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

/// <summary>The <see cref="Invoker"/> for <see cref="Action{T1, T2, T3}"/>.</summary>
/// <typeparam name="T1">The declared first argument type.</typeparam>
/// <typeparam name="T2">The declared second argument type.</typeparam>
/// <typeparam name="T3">The declared third argument type.</typeparam>
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
