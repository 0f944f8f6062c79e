using Concur.Tests.Processes;
using Concur.Tests.Support;

namespace Concur.Tests.Serialization;

public interface IShape
{
    double Area();
}

public sealed class Circle : IShape
{
    public double Radius { get; set; }

    public double Area() => Math.Round(Math.PI * Radius * Radius, 2);
}

public sealed class Square : IShape
{
    public double Side { get; set; }

    public double Area() => Side * Side;
}

public sealed class NeverAllowed : IShape
{
    public double Area() => 0;
}

public sealed class ProcessTypeAllowlistTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static double AreaOf(IShape shape) => shape.Area();

    private static IShape Grow(IShape shape) => shape is Circle c ? new Circle { Radius = c.Radius * 2 } : shape;

    private static object Echo(object value) => value;

    private static object MakeNeverAllowed(int _) => new NeverAllowed();

    [Fact]
    public async Task Submit_InterfaceArgumentOfAllowedType_TravelsWithItsType()
    {
        ProcessTypeAllowlist.Allow<Circle>();
        Assert.Equal(12.57, await Bounded.Within(_pool.Submit(AreaOf, (IShape)new Circle { Radius = 2 })));
    }

    [Fact]
    public async Task Submit_InterfaceResultOfAllowedType_ComesBackAsThatType()
    {
        ProcessTypeAllowlist.Allow<Circle>();
        IShape grown = await Bounded.Within(_pool.Submit(Grow, (IShape)new Circle { Radius = 1 }));
        Assert.Equal(2, Assert.IsType<Circle>(grown).Radius);
    }

    [Fact]
    public async Task Submit_ObjectTypedValueOfAllowedType_RoundTrips()
    {
        ProcessTypeAllowlist.Allow<Square>();
        object back = await Bounded.Within(_pool.Submit(Echo, (object)new Square { Side = 3 }));
        Assert.Equal(9, Assert.IsType<Square>(back).Area());
    }

    [Fact]
    public void Submit_InterfaceArgumentOfTypeNotAllowed_RejectedAtSubmitNamingTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => { _ = _pool.Submit(AreaOf, (IShape)new NeverAllowed()); });
        Assert.Contains(nameof(NeverAllowed), e.Message, StringComparison.Ordinal);
        Assert.Contains("ProcessTypeAllowlist.Allow", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_WorkerReturnsTypeNotAllowed_FailsWithoutInstantiatingIt()
    {
        var e = await Assert.ThrowsAsync<RemoteException>(() => Bounded.Within(_pool.Submit(MakeNeverAllowed, 1)));
        Assert.Contains(nameof(NeverAllowed), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allow_AbstractOrObject_Throws()
    {
        Assert.Throws<ArgumentException>(() => ProcessTypeAllowlist.Allow<object>());
        Assert.Throws<ArgumentException>(() => ProcessTypeAllowlist.Allow<IShape>());
        Assert.Throws<ArgumentException>(() => ProcessTypeAllowlist.Allow<MemoryStream>());
        Assert.False(ProcessTypeAllowlist.IsAllowed(typeof(NeverAllowed)));
    }
}
