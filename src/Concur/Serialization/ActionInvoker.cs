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
