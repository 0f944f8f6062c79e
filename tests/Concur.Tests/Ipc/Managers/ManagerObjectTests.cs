namespace Concur.Tests.Ipc.Managers;

/// <summary>Registered types (Python's <c>BaseManager.register</c>): <see cref="ManagerObject{T}"/> calls their methods in the manager.</summary>
[Collection(IpcCollection.Name)]
public sealed class ManagerObjectTests(ManagerFixture fixture) : IClassFixture<ManagerFixture>
{
    private readonly ProcessManager _manager = fixture.Manager;

    [Fact]
    public async Task MethodsRunInTheManager_OnOneSharedInstance()
    {
        var tally = _manager.Share(new Tally(10));
        Assert.Equal(15, tally.Invoke(t => t.Add(5)));
        long amount = 7;
        Assert.Equal(22, tally.Invoke(t => t.Add(amount))); // a captured argument
        Assert.Equal(22, tally.Invoke(t => t.Total)); // a property
        tally.Invoke(t => t.Note("ann"));
        await tally.InvokeAsync(t => t.Note("bob"));
        Assert.Equal(["ann", "bob"], tally.Invoke(t => t.Names()));
        Assert.Equal("int 3", tally.Invoke(t => t.Describe(3)));
        Assert.Equal("string 3", await tally.InvokeAsync(t => t.Describe("3")));
        Tally copy = tally.GetCopy();
        Assert.Equal(22, copy.Total);
        copy.Add(100); // a copy: the manager's instance is unchanged
        Assert.Equal(22, tally.Invoke(t => t.Total));
    }

    [Fact]
    public void NamedObjects_AreSharedByName()
    {
        string name = $"tally-{Guid.NewGuid():N}";
        var first = _manager.Share(new Tally(1), name);
        var second = _manager.Share(new Tally(1000), name); // opens the existing one
        first.Invoke(t => t.Add(1));
        Assert.Equal(2, second.Invoke(t => t.Total));
    }

    [Fact]
    public void AnExceptionInTheMethod_ComesBackAsRemoteException()
    {
        var tally = _manager.Share(new Tally(0));
        var thrown = Assert.Throws<RemoteException>(() => tally.Invoke(t => t.Fail("no")));
        Assert.Contains("InvalidOperationException", thrown.RemoteTypeName, StringComparison.Ordinal);
        Assert.Contains("refused: no", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, tally.Invoke(t => t.Total)); // the connection and the object are fine
    }

    [Fact]
    public void UnregisteredTypes_AreRefused_NamingTheRegistration()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _manager.Share(new Unregistered { Value = 1 }));
        Assert.Contains("Register<", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Unregistered", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpressionsThatAreNotOneCall_AreRefused()
    {
        var tally = _manager.Share(new Tally(0));
        var refused = Assert.Throws<ArgumentException>(() => tally.Invoke(t => t.Add(1) + 1));
        Assert.Contains("one method call", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => tally.Invoke(t => t.GetHashCode() == 0 ? 1 : 2));
    }
}
