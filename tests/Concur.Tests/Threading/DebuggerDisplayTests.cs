using System.Diagnostics;
using System.Reflection;

namespace Concur.Tests.Threading;

/// <summary>Every public type with instances shows its state in the debugger, through its <c>ToString</c>.</summary>
public sealed class DebuggerDisplayTests
{

    public static TheoryData<Type> InstanceTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(ExclusiveLock).Assembly.GetExportedTypes())
        {
            var isStatic = type.IsAbstract && type.IsSealed;
            if (type.IsInterface || type.IsEnum || isStatic || typeof(Exception).IsAssignableFrom(type) ||
                typeof(Delegate).IsAssignableFrom(type))
            {
                continue;
            }
            data.Add(type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(InstanceTypes))]
    public void PublicType_WithInstances_CarriesDebuggerDisplayOfItsToString(Type type)
    {
        var display = type.GetCustomAttribute<DebuggerDisplayAttribute>(inherit: false);
        Assert.True(display is not null, $"{type.Name} has no [DebuggerDisplay] of its own.");
        Assert.Equal("{ToString(),nq}", display.Value);
        var toString = type.GetMethod(nameof(ToString), Type.EmptyTypes)!;
        Assert.True(toString.DeclaringType != typeof(object) && toString.DeclaringType != typeof(ValueType),
            $"{type.Name} shows object's ToString: override it with the state, as CPython's repr.");
    }
}
