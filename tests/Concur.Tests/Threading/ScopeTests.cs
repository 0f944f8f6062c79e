using System.Reflection;

namespace Concur.Tests.Threading;

/// <summary><see cref="LockScope"/> and <see cref="SemaphoreScope"/> expose the same members, the held primitive aside.</summary>
public sealed class ScopeTests
{
    [Fact]
    public void Scopes_PublicMembers_TheSameWithLockForSemaphore()
    {
        static string[] Members(Type type, string primitive) => type
            .GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not ConstructorInfo && !(m is MethodInfo { IsSpecialName: true } method && method.Name.StartsWith("get_", StringComparison.Ordinal)))
            .Select(m => m.Name.Replace(primitive, "Primitive", StringComparison.Ordinal).Replace(type.Name, "Scope", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(Members(typeof(LockScope), "Lock"), Members(typeof(SemaphoreScope), "Semaphore"));
        Assert.Equal(
            typeof(LockScope).GetInterfaces().Select(i => i.Name).Order(StringComparer.Ordinal),
            typeof(SemaphoreScope).GetInterfaces().Select(i => i.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SemaphoreScope_Semaphore_IsTheSemaphoreUntilDisposed()
    {
        var semaphore = new BoundedSemaphore(2, name: "slots");
        var scope = semaphore.Acquire();
        Assert.Same(semaphore, scope.Semaphore);
        Assert.Equal($"SemaphoreScope ({semaphore})", scope.ToString());
        scope.Dispose();
        Assert.Null(scope.Semaphore);
        Assert.Equal("SemaphoreScope (holds nothing)", scope.ToString());
        Assert.Null(default(SemaphoreScope).Semaphore);
    }

    [Fact]
    public void SemaphoreScope_Equality_SameSemaphoreOrBothEmpty()
    {
        var first = new CountingSemaphore(2);
        var second = new CountingSemaphore(1);
        var a = first.Acquire();
        var b = first.Acquire();
        var c = second.Acquire();
        Assert.True(a == b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.True(default(SemaphoreScope) == default);
        a.Dispose();
        Assert.Equal(default, a);
        b.Dispose();
        c.Dispose();
    }

    [Fact]
    public void LockScope_ToString_ShowsTheLockOrNothing()
    {
        var gate = new ExclusiveLock("balance");
        using (var scope = gate.Acquire())
        {
            Assert.Equal($"LockScope ({gate})", scope.ToString());
            Assert.StartsWith("LockScope (ExclusiveLock 'balance' (held by thread", scope.ToString(), StringComparison.Ordinal);
        }
        Assert.Equal("LockScope (holds nothing)", default(LockScope).ToString());
    }
}
