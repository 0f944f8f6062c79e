using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// A delegate as it can be named in another process: its delegate type, declaring type and method token, and for a
/// lambda the layout of its closure. Built and validated once per method (cached); the captured values are written
/// per call by <see cref="WriteTarget"/>.
/// </summary>
/// <remarks>
/// Type and method names travel only from the parent to its own workers (which trust their parent). Nothing the
/// worker sends back names a type to instantiate.
/// </remarks>
internal sealed class FunctionRef
{
    private static readonly ConcurrentDictionary<(MethodInfo Method, Type DelegateType, Type? TargetType), FunctionRef> Cache = new();
    private static int lastId;

    private FunctionRef(int id, MethodInfo method, Type delegateType, TargetKind kind, ClosureShape? shape, Type? targetType)
    {
        Id = id;
        Method = method;
        DelegateType = delegateType;
        Kind = kind;
        Shape = shape;
        TargetType = targetType;
        Description = Describe(method);
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        WriteDefinition(ref writer);
        writer.Flush();
        Definition = buffer.WrittenSpan.ToArray();
    }

    /// <summary>Gets the process-wide id that names this function in every worker.</summary>
    public int Id { get; }

    /// <summary>Gets the method the delegate calls.</summary>
    public MethodInfo Method { get; }

    /// <summary>Gets the delegate type (its generic arguments are the declared types of arguments and result).</summary>
    public Type DelegateType { get; }

    /// <summary>Gets what the delegate is bound to.</summary>
    public TargetKind Kind { get; }

    /// <summary>Gets the closure layout when <see cref="Kind"/> is <see cref="TargetKind.Closure"/>.</summary>
    public ClosureShape? Shape { get; }

    /// <summary>Gets the object type when <see cref="Kind"/> is <see cref="TargetKind.SerializedObject"/>.</summary>
    public Type? TargetType { get; }

    /// <summary>Gets a readable name for messages, e.g. <c>Program.Square</c>.</summary>
    public string Description { get; }

    /// <summary>Gets the definition bytes sent to a worker once, before its first call of this function.</summary>
    public byte[] Definition { get; }

    /// <summary>Gets (building and validating once) the reference for <paramref name="function"/>.</summary>
    /// <exception cref="ArgumentException">The delegate cannot be sent; the message says why and what to do.</exception>
    public static FunctionRef From(Delegate function, string paramName)
    {
        ArgumentNullException.ThrowIfNull(function, paramName);
        MethodInfo method = function.Method;
        object? target = function.Target;
        ThrowIfGenerated(method, paramName);
        if (target is not null && ClosureShape.IsCompilerGenerated(target.GetType()))
        {
            return Cache.GetOrAdd((method, function.GetType(), target.GetType()),
                static (key, name) => Create(key.Method, key.DelegateType, key.TargetType, name), paramName);
        }
        if (target is null)
        {
            return Cache.GetOrAdd((method, function.GetType(), null),
                static (key, name) => Create(key.Method, key.DelegateType, null, name), paramName);
        }
        if (method.Name.StartsWith('<'))
        {
            throw new ArgumentException(
                $"Cannot send {Describe(method)} to a worker process: the lambda uses 'this' (an instance of " +
                $"{target.GetType().FullName}), and objects are not captured by reference across processes. Copy the " +
                "values it needs from 'this' into local variables first, and use those in the lambda.",
                paramName);
        }
        throw new ArgumentException(
            $"Cannot send {Describe(method)} to a worker process: it is an instance method bound to an object of type " +
            $"{target.GetType().FullName}, and objects are not shared across processes. Use a static method or a lambda " +
            "(its captured variables are sent by value), and pass the object's data as an argument.",
            paramName);
    }

    /// <summary>Gets the reference for calling <paramref name="method"/> on a serialized instance of <paramref name="type"/>.</summary>
    public static FunctionRef ForSerializedObject(MethodInfo method, Type delegateType, Type type) =>
        Cache.GetOrAdd((method, delegateType, type), static key =>
        {
            if (SendableTypes.WhyNot(key.TargetType!) is string reason && !key.TargetType!.IsAbstract)
            {
                throw new ArgumentException($"Cannot send an object of type {key.TargetType.FullName} to a child process: {reason}.");
            }
            return new FunctionRef(Interlocked.Increment(ref lastId), key.Method, key.DelegateType, TargetKind.SerializedObject, null, key.TargetType);
        });

    /// <summary>Writes what travels with one call: the captured values, or the serialized object.</summary>
    /// <exception cref="ArgumentException">A captured value cannot be serialized.</exception>
    public void WriteTarget(ref MessagePackWriter writer, object? target, string paramName)
    {
        switch (Kind)
        {
            case TargetKind.Closure:
                Shape!.WriteValues(ref writer, target!, Description, paramName);
                break;
            case TargetKind.SerializedObject:
                try
                {
                    SendableTypes.CheckRoundTripOnce(TargetType!, target);
                    ValueCodec.For(TargetType!).Write(ref writer, target);
                }
                catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException or TypeInitializationException or InsufficientExecutionStackException)
                {
                    throw new ArgumentException(SendableTypes.Refusal("The object", TargetType!, e), paramName, e);
                }
                break;
        }
    }

    private static void ThrowIfGenerated(MethodInfo method, string paramName)
    {
        if (method.DeclaringType is null || method is System.Reflection.Emit.DynamicMethod || method.Module.Assembly.IsDynamic ||
            method.Module.Assembly.IsCollectible)
        {
            throw new ArgumentException(
                $"Cannot send {Describe(method)} to a worker process: it was generated at run time (a dynamic or collectible " +
                "assembly, or a compiled expression), so a worker cannot load it. Use a method or lambda written in the " +
                "application's source code.",
                paramName);
        }
    }

    private static FunctionRef Create(MethodInfo method, Type delegateType, Type? targetType, string paramName)
    {
        string description = Describe(method);
        if (method.DeclaringType is null || method is System.Reflection.Emit.DynamicMethod || method.Module.Assembly.IsDynamic ||
            method.Module.Assembly.IsCollectible || string.IsNullOrEmpty(method.Module.Assembly.FullName))
        {
            throw new ArgumentException(
                $"Cannot send {description} to a worker process: it was generated at run time (a dynamic or collectible " +
                "assembly, or a compiled expression), so a worker cannot load it. Use a method or lambda written in the " +
                "application's source code.",
                paramName);
        }
        if (!delegateType.IsGenericType && delegateType != typeof(Action) || delegateType.IsGenericType &&
            !SupportedDelegates.Contains(delegateType.GetGenericTypeDefinition()))
        {
            throw new ArgumentException(
                $"Cannot send a delegate of type {delegateType.Name}: use Action, Action<T>, Func<TResult>, Func<T, TResult> or Func<T1, T2, TResult>.",
                paramName);
        }
        if (delegateType.IsGenericType)
        {
            foreach (Type argument in delegateType.GetGenericArguments())
            {
                if (SendableTypes.WhyNot(argument) is string reason)
                {
                    throw new ArgumentException(
                        $"Cannot send {description} to a worker process: values of its parameter or result type " +
                        $"{argument.FullName} cannot travel between processes ({reason}).",
                        paramName);
                }
            }
        }
        if (targetType is null)
        {
            if (!method.IsStatic)
            {
                throw new ArgumentException($"Cannot send {description}: an instance method needs its object.", paramName);
            }
            return new FunctionRef(Interlocked.Increment(ref lastId), method, delegateType, TargetKind.None, null, null);
        }
        ClosureShape shape = ClosureShape.Build(targetType, description, paramName, ClosureUsage.FieldsUsedBy(method));
        return new FunctionRef(Interlocked.Increment(ref lastId), method, delegateType, TargetKind.Closure, shape, targetType);
    }

    private static readonly HashSet<Type> SupportedDelegates =
    [
        typeof(Func<>), typeof(Func<,>), typeof(Func<,,>), typeof(Action<>),
    ];

    private void WriteDefinition(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(6);
        writer.Write(DelegateType.AssemblyQualifiedName);
        writer.Write(Method.DeclaringType!.AssemblyQualifiedName);
        writer.Write(Method.MetadataToken);
        Type[] generic = Method.IsGenericMethod ? Method.GetGenericArguments() : [];
        writer.WriteArrayHeader(generic.Length);
        foreach (Type type in generic)
        {
            writer.Write(type.AssemblyQualifiedName);
        }
        writer.Write((byte)Kind);
        switch (Kind)
        {
            case TargetKind.Closure:
                Shape!.WriteDefinition(ref writer);
                break;
            case TargetKind.SerializedObject:
                writer.Write(TargetType!.AssemblyQualifiedName);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    /// <summary>Gets a readable name for <paramref name="method"/>: its declaring type's name and the method name.</summary>
    public static string Describe(MethodInfo method)
    {
        Type? type = method.DeclaringType;
        while (type is not null && ClosureShape.IsCompilerGenerated(type) && type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        string name = method.Name;
        if (name.StartsWith('<'))
        {
            // <Main>g__Square|0_0 -> Square (a local function); <Method>b__0_0 -> lambda in Method.
            int g = name.IndexOf(">g__", StringComparison.Ordinal);
            int end = name.IndexOf('>', StringComparison.Ordinal);
            name = g >= 0 ? name[(g + 4)..name.IndexOf('|', StringComparison.Ordinal)] : $"lambda in {name[1..end]}";
        }
        return $"{type?.Name}.{name}";
    }
}
