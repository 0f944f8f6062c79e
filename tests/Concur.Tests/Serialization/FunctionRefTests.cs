using System.Linq.Expressions;
using Concur.Tests.Processes;

namespace Concur.Tests.Serialization;

public sealed class NoConstructor
{
    private NoConstructor(string secret) => Hidden = secret;

    public string Length => Hidden;

    private string Hidden { get; }

    public static NoConstructor Make() => new("x");
}

public sealed class FunctionRefTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private readonly ProcessPoolExecutor _pool = fixture.Pool;
    private readonly int _field = 3;

    private static int Square(int x) => x * x;

    private int AddField(int x) => x + _field;

    [Fact]
    public void Submit_LambdaUsesThis_RejectedNamingThis()
    {
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(x => x + _field, 1); });
        Assert.Contains("'this'", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FunctionRefTests), e.Message, StringComparison.Ordinal);
        Assert.Equal("function", e.ParamName);
    }

    [Fact]
    public void Submit_InstanceMethod_RejectedWithFix()
    {
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(AddField, 1); });
        Assert.Contains("instance method", e.Message, StringComparison.Ordinal);
        Assert.Contains("static", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_CapturesStream_RejectedNamingVariableAndType()
    {
        using var stream = new MemoryStream();
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(() => stream.Length); });
        Assert.Contains("'stream'", e.Message, StringComparison.Ordinal);
        Assert.Contains("System.IO.MemoryStream", e.Message, StringComparison.Ordinal);
        Assert.Contains("argument", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_CapturesObjectOfTypeNotAllowed_Rejected()
    {
        object boxed = new Uri("http://example.invalid");
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(() => boxed.GetHashCode()); });
        Assert.Contains("'boxed'", e.Message, StringComparison.Ordinal);
        Assert.Contains("of type object", e.Message, StringComparison.Ordinal);
        Assert.Contains("ProcessTypeAllowlist.Allow<Uri>()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_CapturesDelegate_Rejected()
    {
        Func<int, int> inner = Square;
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(x => inner(x), 2); });
        Assert.Contains("'inner'", e.Message, StringComparison.Ordinal);
        Assert.Contains("delegate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_CapturedValueWithPrivateConstructorAndState_ArrivesAsSent()
    {
        NoConstructor value = NoConstructor.Make();
        Assert.Equal("x", await Support.Bounded.Within(_pool.Submit(() => value.Length)));
    }

    [Fact]
    public async Task Submit_ArgumentWithPrivateConstructorAndState_ArrivesAsSent()
    {
        Assert.Equal("x", await Support.Bounded.Within(_pool.Submit(static (NoConstructor n) => n.Length, NoConstructor.Make())));
    }

    [Fact]
    public void Submit_CapturedValueWithFieldThatCannotTravel_RejectedNamingVariableAndField()
    {
        var value = new WithStream();
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(() => value.Length); });
        Assert.Contains("'value'", e.Message, StringComparison.Ordinal);
        Assert.Contains("WithStream._stream", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_ObjectTypedArgumentNotAllowed_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(static (object o) => o.ToString(), (object)new Version(1, 2)); });
        Assert.Contains("declared as object is a Version", e.Message, StringComparison.Ordinal);
        Assert.Contains("ProcessTypeAllowlist.Allow<Version>()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_CompiledExpression_RejectedAsGeneratedAtRunTime()
    {
        Expression<Func<int, int>> expression = x => x + 1;
        Func<int, int> compiled = expression.Compile();
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(compiled, 1); });
        Assert.Contains("run time", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SiblingLambdaUsesThis_OnlyUsedVariablesTravel()
    {
        int local = 4;
        Func<int> usesThis = () => _field + local;
        Assert.Equal(7, usesThis());
        Assert.Equal(8, await Support.Bounded.Within(_pool.Submit(() => local * 2)));
    }

    [Fact]
    public async Task Submit_CapturedValueChangesBetweenCalls_EachCallSendsItsValue()
    {
        var tasks = new List<Task<int>>();
        for (int i = 0; i < 5; i++)
        {
            int copy = i;
            tasks.Add(_pool.Submit(() => copy * 10));
        }
        int[] results = await Support.Bounded.Within(Task.WhenAll(tasks));
        Assert.Equal(new[] { 0, 10, 20, 30, 40 }, results);
    }
}
