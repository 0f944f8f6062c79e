namespace Concur.Executors.Internal;

/// <summary>Runs an <see cref="Action"/>; the task's result is always <see langword="null"/>.</summary>
internal sealed class ActionWorkItem(Action action) : ThreadWorkItem<object?>(userVisible: true)
{
    protected override object? Invoke()
    {
        action();
        return null;
    }
}
