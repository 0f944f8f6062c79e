using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// The worker's side of a <see cref="FunctionRef"/>: the resolved method, the invoker for its signature, and what is
/// needed to rebuild its target for each call.
/// </summary>
internal sealed class FunctionDefinition
{
    private readonly Delegate? _cached;

    private FunctionDefinition(Type delegateType, MethodInfo method, TargetKind kind, ClosureShape? shape, Type? targetType)
    {
        DelegateType = delegateType;
        Method = method;
        Kind = kind;
        Shape = shape;
        TargetType = targetType;
        Invoker = Invoker.For(delegateType);
        if (kind == TargetKind.None)
        {
            _cached = Delegate.CreateDelegate(delegateType, method);
        }
        else if (kind == TargetKind.Closure && shape!.Fields.Length == 0)
        {
            _cached = Delegate.CreateDelegate(delegateType, RuntimeHelpers.GetUninitializedObject(shape.Type), method);
        }
    }

    /// <summary>Gets the delegate type.</summary>
    public Type DelegateType { get; }

    /// <summary>Gets the method.</summary>
    public MethodInfo Method { get; }

    /// <summary>Gets what the delegate is bound to.</summary>
    public TargetKind Kind { get; }

    /// <summary>Gets the closure layout.</summary>
    public ClosureShape? Shape { get; }

    /// <summary>Gets the serialized object's type.</summary>
    public Type? TargetType { get; }

    /// <summary>Gets the invoker that reads arguments, calls, and writes the result.</summary>
    public Invoker Invoker { get; }

    /// <summary>Resolves a definition written by <see cref="FunctionRef"/>.</summary>
    public static FunctionDefinition Read(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        reader.ReadArrayHeader();
        Type delegateType = Type.GetType(reader.ReadString()!, throwOnError: true)!;
        Type declaringType = Type.GetType(reader.ReadString()!, throwOnError: true)!;
        int token = reader.ReadInt32();
        int genericCount = reader.ReadArrayHeader();
        var generic = new Type[genericCount];
        for (int i = 0; i < genericCount; i++)
        {
            generic[i] = Type.GetType(reader.ReadString()!, throwOnError: true)!;
        }
        var kind = (TargetKind)reader.ReadByte();
        ClosureShape? shape = null;
        Type? targetType = null;
        if (kind == TargetKind.Closure)
        {
            shape = ClosureShape.ReadDefinition(ref reader);
        }
        else if (kind == TargetKind.SerializedObject)
        {
            targetType = Type.GetType(reader.ReadString()!, throwOnError: true)!;
        }
        else
        {
            reader.Skip();
        }

        MethodBase resolved = declaringType.Module.ResolveMethod(
            token,
            declaringType.IsGenericType ? declaringType.GetGenericArguments() : null,
            genericCount > 0 ? generic : null)!;
        if (declaringType.IsConstructedGenericType)
        {
            resolved = MethodBase.GetMethodFromHandle(resolved.MethodHandle, declaringType.TypeHandle)!;
        }
        var method = (MethodInfo)resolved;
        if (genericCount > 0 && method.IsGenericMethodDefinition)
        {
            method = method.MakeGenericMethod(generic);
        }
        return new FunctionDefinition(delegateType, method, kind, shape, targetType);
    }

    /// <summary>Builds the delegate for one call, reading its target's state from <paramref name="reader"/>.</summary>
    public Delegate Bind(ref MessagePackReader reader)
    {
        if (_cached is not null)
        {
            return _cached;
        }
        object target = Kind == TargetKind.Closure
            ? Shape!.ReadValues(ref reader)
            : ValueCodec.For(TargetType!).Read(ref reader)!;
        return Delegate.CreateDelegate(DelegateType, target, Method);
    }
}
