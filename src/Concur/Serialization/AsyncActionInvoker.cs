using MessagePack;

namespace Concur.Serialization;

/// <summary>The <see cref="Invoker"/> for <see cref="Func{TResult}"/> of <see cref="Task"/>: calls, awaits, writes nil.</summary>
internal sealed class AsyncActionInvoker : Invoker
{
    public override void Invoke(Delegate function, ref MessagePackReader arguments, ref MessagePackWriter result)
    {
        Await(((Func<Task>)function)());
        result.WriteNil();
    }
}
