using Concur.Serialization;
using Concur.Tests.Processes;
using Concur.Tests.Support;

namespace Concur.Tests.Serialization;

/// <summary>Issue 7, points 1-3: through a real worker, a value arrives as sent or is refused at Submit.</summary>
public sealed class FidelityTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static int Fail(int code) => throw new CodedException(code, DayOfWeek.Friday) { Data = { ["hint"] = "retry", ["attempt"] = 2 } };

    [Fact]
    public async Task Submit_PrivateFieldSetByConstructor_TaskSeesItsValue()
    {
        Assert.Equal(42, await Bounded.Within(_pool.Submit(static (Secret s) => s.Reveal(), new Secret(42))));
    }

    [Fact]
    public async Task Submit_LocalDateTime_ArrivesAndReturnsAsLocal()
    {
        DateTime now = DateTime.Now;
        string seen = await Bounded.Within(_pool.Submit(static (DateTime d) => $"{d.Kind}:{d.Ticks}", now));
        Assert.Equal($"{DateTimeKind.Local}:{now.Ticks}", seen);
        DateTime back = await Bounded.Within(_pool.Submit(static (DateTime d) => d, now));
        Assert.Equal(DateTimeKind.Local, back.Kind);
        Assert.Equal(now, back);
    }

    [Fact]
    public async Task Submit_ObjectMemberInsideUserType_TaskSeesTheSameType()
    {
        ProcessTypeAllowlist.Allow<Point>();
        string seen = await Bounded.Within(_pool.Submit(static (Holder h) => h.Value?.GetType().Name ?? "null", new Holder { Value = new Point(1, 2) }));
        Assert.Equal(nameof(Point), seen);
        Assert.Equal("Int32", await Bounded.Within(_pool.Submit(static (Holder h) => h.Value!.GetType().Name, new Holder { Value = 5 })));
    }

    [Fact]
    public void Submit_ArgumentWithACycle_ThrowsCatchableArgumentException()
    {
        var n = new Node { Value = 1 };
        n.Next = n;
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(static (Node x) => x.Value, n); });
        Assert.Equal("argument", e.ParamName);
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
        Assert.Contains("Node.Next", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_CapturedValueWithACycle_ThrowsCatchableArgumentException()
    {
        var n = new Node { Value = 1 };
        n.Next = new Node { Next = n };
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(() => n.Value); });
        Assert.Contains("'n'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_ArgumentTooDeep_ThrowsNamingTheLimit()
    {
        var head = new Node();
        for (int i = 0; i < 10_000; i++)
        {
            head = new Node { Next = head, Value = i };
        }
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(static (Node x) => x.Value, head); });
        Assert.Contains($"more than {GraphGuard.MaxDepth} objects deep", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_CollectionInterfaceParameters_TravelAsTheirData()
    {
        Assert.Equal(6, await Bounded.Within(_pool.Submit(static (IReadOnlyList<int> xs) => xs.Sum(), new[] { 1, 2, 3 })));
        Assert.Equal(2, await Bounded.Within(_pool.Submit(static (IList<string> xs) => xs.Count, new List<string> { "a", "b" })));
        Assert.Equal(9, await Bounded.Within(_pool.Submit(static (IEnumerable<int> xs) => xs.Sum(), Enumerable.Range(2, 3).ToList())));
        Assert.Equal(1, await Bounded.Within(_pool.Submit(static (ICollection<int> xs) => xs.Count, new HashSet<int> { 4 })));
        Assert.Equal(2, await Bounded.Within(_pool.Submit(static (IReadOnlyCollection<long> xs) => xs.Count, new long[] { 4, 5 })));
        Assert.Equal(3, await Bounded.Within(_pool.Submit(static (IReadOnlyDictionary<string, int> d) => d["x"], new Dictionary<string, int> { ["x"] = 3 })));
        Assert.Equal(4, await Bounded.Within(_pool.Submit(static (IDictionary<int, int> d) => d[1], new Dictionary<int, int> { [1] = 4 })));
        Assert.True(await Bounded.Within(_pool.Submit(static (ISet<string> s) => s.Contains("k"), new HashSet<string> { "k" })));
        Assert.True(await Bounded.Within(_pool.Submit(static (IReadOnlySet<int> s) => s.Contains(8), new HashSet<int> { 8 })));
        IReadOnlyList<int> back = await Bounded.Within(_pool.Submit(static (int n) => (IReadOnlyList<int>)Enumerable.Range(0, n).ToArray(), 3));
        Assert.Equal(new[] { 0, 1, 2 }, back);
    }

    [Fact]
    public async Task Submit_TuplesAndPairsHoldingArraysAndUserTypes_ArriveAsSent()
    {
        (byte, long, byte[]) triple = (7, 1L << 40, [1, 2, 3]);
        Assert.Equal(6 + 7, await Bounded.Within(_pool.Submit(static ((byte, long, byte[]) t) => t.Item1 + t.Item3.Sum(x => x), triple)));
        var pairs = new List<KeyValuePair<string, int[]>> { new("a", [4, 5]) };
        Assert.Equal(9, await Bounded.Within(_pool.Submit(static (List<KeyValuePair<string, int[]>> p) => p[0].Value.Sum(), pairs)));
        Tuple<Secret, string> reference = Tuple.Create(new Secret(11), "x");
        Assert.Equal(11, await Bounded.Within(_pool.Submit(static (Tuple<Secret, string> t) => t.Item1.Reveal(), reference)));
    }

    [Fact]
    public void Submit_DictionaryWithCustomComparer_RefusedNamingTheComparer()
    {
        var d = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase) { ["a"] = Guid.Empty };
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(static (Dictionary<string, Guid> x) => x.Count, d); });
        Assert.Contains("comparer", e.Message, StringComparison.Ordinal);
        Assert.Contains("would not arrive as sent", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_UserExceptionInWorker_ComesBackWithItsProperties()
    {
        var e = await Assert.ThrowsAsync<RemoteException>(() => Bounded.Within(_pool.Submit(Fail, 7)));
        Assert.Equal(typeof(CodedException).FullName, e.RemoteTypeName);
        Assert.Equal(7L, e.Properties["Code"]);
        Assert.Equal("Friday", e.Properties["Day"]);
        Assert.DoesNotContain("Message", e.Properties.Keys);
        Assert.Equal("retry", e.Data["hint"]);
        Assert.Equal(2L, e.Data["attempt"]);
    }

    [Fact]
    public void Start_ChildProcessSubclassWithPrivateState_ChildSeesIt()
    {
        using var gate = new Gate();
        string path = gate.Marker("state");
        var child = new PrivateStateChild(path, 11, "x", "y");
        child.Start();
        Assert.True(child.Join(Bounded.Limit));
        Assert.Equal(0, child.ExitCode);
        Assert.Equal("11:x,y", File.ReadAllText(path));
    }
}
