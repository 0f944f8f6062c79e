using System.Reflection;
using Concur.Serialization;
using Concur.Tests.Processes;
using Concur.Tests.Support;

namespace Concur.Tests.Serialization;

/// <summary>
/// Async lambdas as <see cref="FunctionRef"/> sees them: their body is in a compiler-built state machine, so the
/// captured variables they read are found by following it (<see cref="ClosureUsage"/>), also in generic code.
/// </summary>
public sealed class AsyncClosureTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static Func<Task<string>> CaptureInGeneric<T>(T value, string unused)
    {
        string label = "v=";
        Func<string> sibling = () => unused; // Shares the closure; its variable must not travel with the async lambda.
        _ = sibling;
        return async () =>
        {
            await Task.Yield();
            return label + value;
        };
    }

    private static HashSet<string> CapturedNames(Delegate function) =>
        FunctionRef.From(function, nameof(function), awaited: true).Shape!.Fields.Select(static f => f.Info.Name).ToHashSet();

    [Fact]
    public void FieldsUsedBy_AsyncLambda_FollowsIntoStateMachine()
    {
        int before = 1;
        int after = 2;
        int unused = 3;
        Func<int> sibling = () => unused;
        Func<Task<int>> function = async () =>
        {
            int sum = before;
            await Task.Yield();
            return sum + after;
        };
        _ = sibling;
        HashSet<string> names = ClosureUsage.FieldsUsedBy(function.Method).Select(static f => f.Name).ToHashSet();
        Assert.Contains(nameof(before), names);
        Assert.Contains(nameof(after), names);
        Assert.Equal(["after", "before"], CapturedNames(function).Order());
    }

    [Fact]
    public void From_AsyncLambdaInGenericMethod_SendsOnlyItsCapturedVariables()
    {
        Assert.Equal(["label", "value"], CapturedNames(CaptureInGeneric(5, "x")).Order());
    }

    [Fact]
    public async Task Submit_AsyncLambdaInGenericMethod_CapturedValuesTravel()
    {
        Assert.Equal("v=5", await Bounded.Within(_pool.Submit(CaptureInGeneric(5, "not sent"))));
        Assert.Equal("v=abc", await Bounded.Within(_pool.Submit(CaptureInGeneric("abc", "not sent"))));
    }

    [Fact]
    public void From_AsyncLambdaUsingThisAfterAwait_RefusedNamingThis()
    {
        var holder = new Holder(4);
        var e = Assert.Throws<ArgumentException>(() => FunctionRef.From(holder.Make(1), "function", awaited: true));
        Assert.Contains("'this'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_SameDelegateAwaitedThenNot_SecondRefused()
    {
        Func<Task<int>> function = static async () => { await Task.Yield(); return 1; };
        Assert.NotNull(FunctionRef.From(function, "function", awaited: true));
        var e = Assert.Throws<ArgumentException>(() => FunctionRef.From(function, "function"));
        Assert.Contains("Task<int>", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_AsyncVoidLambda_Refused()
    {
        Action<int> function = async x => await Task.Delay(x);
        var e = Assert.Throws<ArgumentException>(() => FunctionRef.From(function, "target"));
        Assert.Contains("async void", e.Message, StringComparison.Ordinal);
        Assert.Equal("target", e.ParamName);
    }

    [Fact]
    public void FieldsUsedBy_StateMachineAttributeOnAsyncLambda_IsPresent()
    {
        // The scan relies on the compiler marking async lambdas with their state machine.
        Func<Task> function = async () => await Task.Yield();
        Assert.NotNull(function.Method.GetCustomAttribute<System.Runtime.CompilerServices.AsyncStateMachineAttribute>());
    }

    private sealed class Holder(int field)
    {
        private readonly int _field = field;

        public Func<Task<int>> Make(int x)
        {
            int local = x;
            return async () =>
            {
                await Task.Yield();
                return local + _field;
            };
        }
    }
}
