using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Managers;

/// <summary>
/// <see cref="ManagerDict{TKey, TValue}"/> from the owner: Python's <c>manager.dict()</c> semantics (copies, missing
/// keys, batch and atomic operations), refusals before anything is sent, and named dictionaries.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class ManagerDictTests(ManagerFixture fixture) : IClassFixture<ManagerFixture>
{
    private readonly ProcessManager _manager = fixture.Manager;

    [Fact]
    public void SetThenGet_ReturnsTheValue_AndMissingKeysSayWhichManager()
    {
        var dict = _manager.Dict<string, int>();
        dict["a"] = 1;
        dict["b"] = 2;
        dict["a"] = 3;
        Assert.Equal(3, dict["a"]);
        Assert.Equal(2, dict.Count);
        Assert.True(dict.TryGetValue("b", out int b));
        Assert.Equal(2, b);
        Assert.False(dict.TryGetValue("zz", out _));
        Assert.True(dict.ContainsKey("a"));
        Assert.False(dict.ContainsKey("zz"));
        var missing = Assert.Throws<KeyNotFoundException>(() => dict["zz"]);
        Assert.Contains("'zz'", missing.Message, StringComparison.Ordinal);
        Assert.Contains(Concur.Ipc.Internal.Endpoints.Describe(_manager.Address), missing.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], dict.Keys.Order());
        Assert.True(dict.TryRemove("a", out int removed));
        Assert.Equal(3, removed);
        Assert.False(dict.Remove("a"));
        dict.Clear();
        Assert.Equal(0, dict.Count);
    }

    [Fact]
    public void Values_AreCopies_ChangingOneChangesNothingUntilItIsStoredAgain()
    {
        var baskets = _manager.Dict<string, Basket>();
        baskets["ann"] = new Basket("ann", [1]);
        baskets["ann"].Items.Add(2); // a copy
        Assert.Equal([1], baskets["ann"].Items);
        Basket basket = baskets["ann"];
        basket.Items.Add(2);
        baskets["ann"] = basket;
        Assert.Equal([1, 2], baskets["ann"].Items);
        Assert.NotSame(baskets["ann"], baskets["ann"]);
    }

    [Fact]
    public void UpdateAndGetMany_MoveManyEntriesInOneCall()
    {
        var dict = _manager.Dict<int, string>();
        dict.Update(Enumerable.Range(0, 1000).Select(i => KeyValuePair.Create(i, $"v{i}")));
        Assert.Equal(1000, dict.Count);
        Dictionary<int, string> some = dict.GetMany([1, 500, 999, 5000]);
        Assert.Equal(3, some.Count);
        Assert.Equal("v500", some[500]);
        Assert.False(some.ContainsKey(5000));
        Dictionary<int, string> all = dict.ToDictionary();
        Assert.Equal(1000, all.Count);
        Assert.Equal("v999", all[999]);
    }

    [Fact]
    public void AtomicOperations_TryAddGetOrAddTryUpdateAddOrUpdateIncrement()
    {
        var dict = _manager.Dict<string, long>();
        Assert.True(dict.TryAdd("k", 1));
        Assert.False(dict.TryAdd("k", 2));
        Assert.Equal(1, dict.GetOrAdd("k", 9));
        Assert.Equal(7, dict.GetOrAdd("new", 7));
        Assert.False(dict.TryUpdate("k", 5, comparisonValue: 4));
        Assert.True(dict.TryUpdate("k", 5, comparisonValue: 1));
        Assert.Equal(5, dict["k"]);
        Assert.Equal(10, dict.AddOrUpdate("k", 0, v => v * 2));
        Assert.Equal(3, dict.AddOrUpdate("absent", 3, v => v * 2));
        Assert.Equal(11, dict.Increment("k"));
        Assert.Equal(1, dict.Increment("fresh"));
        Assert.Equal(-4, dict.Increment("fresh", -5));
        Assert.Equal(-4, dict["fresh"]);

        var ints = _manager.Dict<string, int>();
        ints["max"] = int.MaxValue;
        var overflow = Assert.Throws<InvalidOperationException>(() => ints.Increment("max"));
        Assert.Contains("overflow", overflow.Message, StringComparison.Ordinal);
        Assert.Equal(int.MaxValue, ints["max"]);

        var doubles = _manager.Dict<string, double>();
        Assert.Equal(0.5, doubles.Increment("x", 0.5));
        Assert.Equal(2.0, doubles.Increment("x", 1.5));
        Assert.Equal(2.0, doubles["x"]);
    }

    [Fact]
    public async Task AsyncTwins_DoTheSame()
    {
        var dict = _manager.Dict<string, int>();
        await dict.SetAsync("a", 1);
        Assert.Equal(1, await dict.GetAsync("a"));
        Assert.Equal((false, 0), await dict.TryGetValueAsync("b"));
        await dict.UpdateAsync([KeyValuePair.Create("b", 2), KeyValuePair.Create("c", 3)]);
        Assert.Equal(3, await dict.CountAsync());
        Assert.Equal(2, (await dict.GetManyAsync(["b", "c"])).Count);
        Assert.Equal(4, await dict.IncrementAsync("c"));
        Assert.True(await dict.RemoveAsync("c"));
        Assert.Equal(2, (await dict.ToDictionaryAsync()).Count);
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await dict.GetAsync("zz"));
    }

    [Fact]
    public void ValuesThatCannotTravel_AreRefusedBeforeSending_NamingTheType()
    {
        var dict = _manager.Dict<string, HoldsDelegate>();
        var refused = Assert.Throws<ArgumentException>(() => dict["x"] = new HoldsDelegate { Make = () => 1 });
        Assert.Contains("HoldsDelegate", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, dict.Count); // nothing was sent, and the connection still works

        var streams = Assert.Throws<ArgumentException>(() => _manager.Dict<string, MemoryStream>());
        Assert.Contains("MemoryStream", streams.Message, StringComparison.Ordinal);
        var ends = Assert.Throws<ArgumentException>(() => _manager.List<Connection>());
        Assert.Contains("Connection", ends.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamedDictionaries_AreOpenedAgain_AndChecked()
    {
        string name = $"scores-{Guid.NewGuid():N}";
        var first = _manager.Dict<string, int>(name);
        first["x"] = 42;
        var second = _manager.Dict<string, int>(name);
        Assert.Equal(42, second["x"]);
        var wrongTypes = Assert.Throws<InvalidOperationException>(() => _manager.Dict<string, long>(name));
        Assert.Contains("ManagerDict<string, int>", wrongTypes.Message, StringComparison.Ordinal);
        Assert.Contains("ManagerDict<string, long>", wrongTypes.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => _manager.List<int>(name));
        Assert.Throws<ArgumentException>(() => _manager.Dict<string, int>(""));
    }

    [Fact]
    public void ReadingAsAnotherType_IsAClearError()
    {
        var ns = _manager.Namespace();
        ns.Set("n", "text");
        var wrong = Assert.Throws<InvalidDataException>(() => ns.Get<int>("n"));
        Assert.Contains("int", wrong.Message, StringComparison.Ordinal);
        Assert.Equal("text", ns.Get<string>("n"));
    }
}
