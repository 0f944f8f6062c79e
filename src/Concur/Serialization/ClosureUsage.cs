using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Concur.Serialization;

/// <summary>
/// Finds which captured variables a lambda really reads, by scanning its IL for field accesses (and following calls
/// into other methods of the compiler's closure classes). C# shares one closure object among all the lambdas of a
/// scope, so a lambda's closure often also holds variables, or <c>this</c>, that only a sibling lambda uses; those
/// are not sent.
/// </summary>
/// <remarks>
/// An async lambda's own method only builds its state machine and starts it: the body, with every read of a captured
/// variable, is in the state machine's <c>MoveNext</c>. The scan follows the method's
/// <see cref="StateMachineAttribute"/> there (async methods and iterators alike), so a variable read only after an
/// <c>await</c> is sent too.
/// </remarks>
internal static class ClosureUsage
{
    private static readonly OpCode[] s_oneByte = new OpCode[256];
    private static readonly OpCode[] s_twoByte = new OpCode[256];

    static ClosureUsage()
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            ushort value = unchecked((ushort)code.Value);
            if (value < 0x100)
            {
                s_oneByte[value] = code;
            }
            else if ((value & 0xFF00) == 0xFE00)
            {
                s_twoByte[value & 0xFF] = code;
            }
        }
    }

    /// <summary>Gets the fields of closure classes that <paramref name="method"/> reads or writes.</summary>
    public static HashSet<FieldInfo> FieldsUsedBy(MethodInfo method)
    {
        var fields = new HashSet<FieldInfo>();
        var visited = new HashSet<MethodBase>();
        Scan(method, fields, visited);
        return fields;
    }

    private static void Scan(MethodBase method, HashSet<FieldInfo> fields, HashSet<MethodBase> visited)
    {
        if (!visited.Add(method))
        {
            return;
        }
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        if (method.GetCustomAttribute<StateMachineAttribute>(inherit: false) is { } attribute)
        {
            if (StateMachineBody(attribute.StateMachineType, typeArgs, methodArgs) is MethodInfo moveNext)
            {
                Scan(moveNext, fields, visited);
            }
            else if (method.DeclaringType is Type closure)
            {
                AddAll(closure, fields); // Cannot see the body: send every captured variable rather than miss one.
            }
        }
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return;
        }
        int i = 0;
        while (i < il.Length)
        {
            OpCode code;
            byte b = il[i++];
            if (b == 0xFE)
            {
                code = s_twoByte[il[i++]];
            }
            else
            {
                code = s_oneByte[b];
            }
            switch (code.OperandType)
            {
                case OperandType.InlineField:
                {
                    int token = BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(i));
                    if (Resolve(() => method.Module.ResolveField(token, typeArgs, methodArgs)) is FieldInfo field &&
                        field.DeclaringType is { } owner && ClosureShape.IsCompilerGenerated(owner))
                    {
                        fields.Add(field);
                    }
                    i += 4;
                    break;
                }
                case OperandType.InlineMethod:
                {
                    int token = BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(i));
                    if (Resolve(() => method.Module.ResolveMethod(token, typeArgs, methodArgs)) is MethodBase callee &&
                        callee.DeclaringType is { } owner && ClosureShape.IsCompilerGenerated(owner))
                    {
                        Scan(callee, fields, visited);
                    }
                    i += 4;
                    break;
                }
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    int count = BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(i));
                    i += 4 + (4 * count);
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    /// <summary>
    /// Gets the <c>MoveNext</c> of the state machine <paramref name="machine"/> the compiler built for an async method
    /// or lambda, or an iterator; <see langword="null"/> if it cannot be resolved.
    /// </summary>
    /// <remarks>
    /// The attribute names the state machine's open type. It is nested in the method's declaring type and, for a
    /// generic method, has the method's type parameters too, so it is closed over the declaring type's type arguments
    /// followed by the method's.
    /// </remarks>
    private static MethodInfo? StateMachineBody(Type machine, Type[]? typeArgs, Type[]? methodArgs)
    {
        if (machine.IsGenericTypeDefinition)
        {
            Type[] arguments = [.. typeArgs ?? [], .. methodArgs ?? []];
            if (arguments.Length != machine.GetGenericArguments().Length || arguments.Any(static a => a.IsGenericParameter))
            {
                return null;
            }
            machine = machine.MakeGenericType(arguments);
        }
        return machine.GetMethod(nameof(IAsyncStateMachine.MoveNext), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
    }

    /// <summary>Adds every instance field of the closure class <paramref name="closure"/> and of the outer closures it holds.</summary>
    private static void AddAll(Type closure, HashSet<FieldInfo> fields)
    {
        if (!ClosureShape.IsCompilerGenerated(closure))
        {
            return;
        }
        foreach (FieldInfo field in closure.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (fields.Add(field) && ClosureShape.IsCompilerGenerated(field.FieldType) && field.FieldType.IsClass)
            {
                AddAll(field.FieldType, fields);
            }
        }
    }

    private static T? Resolve<T>(Func<T?> resolve)
        where T : class
    {
        try
        {
            return resolve();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
