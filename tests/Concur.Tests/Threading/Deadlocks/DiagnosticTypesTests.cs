using System.Reflection;

namespace Concur.Tests.Threading.Deadlocks;

/// <summary>
/// The diagnostic types are sealed classes with read-only properties and no public constructor, so properties can be
/// added later without breaking code compiled against this version; each shows itself in one readable line.
/// </summary>
public sealed class DiagnosticTypesTests
{
    public static TheoryData<Type> DiagnosticTypes => new()
    {
        typeof(DeadlockCycleEntry),
        typeof(LockOrderEdge),
        typeof(LockState),
        typeof(LockWaiterState),
    };

    [Theory]
    [MemberData(nameof(DiagnosticTypes))]
    public void DiagnosticType_Shape_SealedClassWithGetOnlyPropertiesAndNoPublicConstructor(Type type)
    {
        Assert.True(type.IsClass && type.IsSealed, $"{type.Name} is a sealed class.");
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.Null(type.GetMethod("<Clone>$"));
        Assert.Null(type.GetMethod("Deconstruct"));
        Assert.All(
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance),
            property => Assert.True(property.SetMethod is null, $"{type.Name}.{property.Name} has no setter or init accessor."));
        Assert.NotNull(type.GetCustomAttribute<System.Diagnostics.DebuggerDisplayAttribute>());
    }

    [Fact]
    public void DeadlockCycleEntry_ToString_ReadsAsALineOfTheReport()
    {
        var entry = new DeadlockCycleEntry("thread \"t1\" (id 12)", 12, "B", "thread \"t2\" (id 13)", 13, "A");
        Assert.Equal("thread \"t1\" (id 12) waits for lock 'B', held by thread \"t2\" (id 13) (it holds 'A')", entry.ToString());
        Assert.Equal("thread \"t1\" (id 12)", entry.Thread);
        Assert.Equal(13, entry.HeldByManagedThreadId);
    }

    [Fact]
    public void LockOrderEdge_ToString_SaysWhichLockWasTakenWhileHoldingWhich()
    {
        var edge = new LockOrderEdge("A", "B", "thread \"t1\" (id 12)", 12, "at Program.Main()");
        Assert.Equal("thread \"t1\" (id 12) acquired 'B' while holding 'A'", edge.ToString());
        Assert.Equal("at Program.Main()", edge.Stack);
    }

    [Fact]
    public void LockState_ToString_HolderCountTimeAndOneLinePerWaiter()
    {
        var waiter = new LockWaiterState("thread \"t2\" (id 13)", 13, TimeSpan.FromMilliseconds(2.5));
        var state = new LockState("account", "ReentrantLock", "thread \"t1\" (id 12)", 12, 2, TimeSpan.FromMilliseconds(3), [waiter]);
        Assert.Equal("thread \"t2\" (id 13) for 2.5 ms", waiter.ToString());
        Assert.Equal(
            "ReentrantLock 'account': held by thread \"t1\" (id 12) (2 times) for 3 ms" + Environment.NewLine +
            "    waiting: thread \"t2\" (id 13) for 2.5 ms",
            state.ToString());
        Assert.Equal("ExclusiveLock 'idle': free", new LockState("idle", "ExclusiveLock", null, null, 0, null, []).ToString());
    }
}
