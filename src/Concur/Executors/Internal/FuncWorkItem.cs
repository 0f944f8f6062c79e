namespace Concur.Executors.Internal;

/// <summary>Runs a <see cref="Func{TResult}"/>.</summary>
internal sealed class FuncWorkItem<TResult>(Func<TResult> function) : ThreadWorkItem<TResult>(userVisible: true)
{
    protected override TResult Invoke() => function();
}

/// <summary>Runs a <see cref="Func{T, TResult}"/> on one argument.</summary>
internal sealed class FuncWorkItem<T, TResult>(Func<T, TResult> function, T argument, bool userVisible = true)
    : ThreadWorkItem<TResult>(userVisible)
{
    protected override TResult Invoke() => function(argument);
}
