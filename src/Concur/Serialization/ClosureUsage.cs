using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;

namespace Concur.Serialization;

/// <summary>
/// Finds which captured variables a lambda really reads, by scanning its IL for field accesses (and following calls
/// into other methods of the compiler's closure classes). C# shares one closure object among all the lambdas of a
/// scope, so a lambda's closure often also holds variables, or <c>this</c>, that only a sibling lambda uses; those
/// are not sent.
/// </summary>
internal static class ClosureUsage
{
    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static ClosureUsage()
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            ushort value = unchecked((ushort)code.Value);
            if (value < 0x100)
            {
                OneByte[value] = code;
            }
            else if ((value & 0xFF00) == 0xFE00)
            {
                TwoByte[value & 0xFF] = code;
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
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return;
        }
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            OpCode code;
            byte b = il[i++];
            if (b == 0xFE)
            {
                code = TwoByte[il[i++]];
            }
            else
            {
                code = OneByte[b];
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
