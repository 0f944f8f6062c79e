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
    private static readonly ConcurrentDictionary<(MethodInfo Method, Type DelegateType, Type? TargetType, bool Awaited), FunctionRef> s_cache = new();
    private static int s_lastId;

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
    /// <param name="function">The delegate to send.</param>
    /// <param name="paramName">The caller's parameter name, for exceptions.</param>
    /// <param name="awaited">
    /// <see langword="true"/> when the caller is an overload for async functions (<c>Func&lt;Task&gt;</c>,
    /// <c>Func&lt;Task&lt;TResult&gt;&gt;</c>, <c>Func&lt;T, Task&lt;TResult&gt;&gt;</c>): the worker awaits the task
    /// and sends back its result. Anywhere else a function that returns a task is refused, since a task cannot travel
    /// as a value. The default is <see langword="false"/>.
    /// </param>
    /// <exception cref="ArgumentException">The delegate cannot be sent; the message says why and what to do.</exception>
    public static FunctionRef From(Delegate function, string paramName, bool awaited = false)
    {
        ArgumentNullException.ThrowIfNull(function, paramName);
        MethodInfo method = function.Method;
        object? target = function.Target;
        ThrowIfGenerated(method, paramName);
        if (target is not null && ClosureShape.IsCompilerGenerated(target.GetType()))
        {
            return s_cache.GetOrAdd((method, function.GetType(), target.GetType(), awaited),
                static (key, name) => Create(key.Method, key.DelegateType, key.TargetType, key.Awaited, name), paramName);
        }
        if (target is null)
        {
            return s_cache.GetOrAdd((method, function.GetType(), null, awaited),
                static (key, name) => Create(key.Method, key.DelegateType, null, key.Awaited, name), paramName);
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
        s_cache.GetOrAdd((method, delegateType, type, false), static key =>
        {
            ThrowIfAsyncVoid(key.Method, Describe(key.Method), "this");
            if (SendableTypes.WhyNot(key.TargetType!) is string reason && !key.TargetType!.IsAbstract)
            {
                throw new ArgumentException($"Cannot send an object of type {key.TargetType.FullName} to a child process: {reason}.");
            }
            return new FunctionRef(Interlocked.Increment(ref s_lastId), key.Method, key.DelegateType, TargetKind.SerializedObject, null, key.TargetType);
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

    private static FunctionRef Create(MethodInfo method, Type delegateType, Type? targetType, bool awaited, string paramName)
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
            !s_supportedDelegates.Contains(delegateType.GetGenericTypeDefinition()))
        {
            throw new ArgumentException(
                $"Cannot send a delegate of type {delegateType.Name}: use Action, Action<T>, Func<TResult>, Func<T, TResult> or Func<T1, T2, TResult>.",
                paramName);
        }
        ThrowIfAsyncVoid(method, description, paramName);
        if (delegateType.IsGenericType)
        {
            List<Type> arguments = [.. delegateType.GetGenericArguments()];
            Type last = arguments[^1];
            if (delegateType.Name.StartsWith("Func`", StringComparison.Ordinal) && IsTaskLike(last))
            {
                // Only an awaited Task or Task<T> can be sent: the worker awaits it and sends back its result, if any.
                Type? result = Invoker.TaskResultType(last);
                if (!awaited || (result is null && last != typeof(Task)))
                {
                    throw NotAwaited(description, last, paramName);
                }
                arguments.RemoveAt(arguments.Count - 1);
                if (result is not null)
                {
                    arguments.Add(result);
                }
            }
            foreach (Type argument in arguments)
            {
                if (SendableTypes.WhyNot(argument) is string reason)
                {
                    throw new ArgumentException(
                        $"Cannot send {description} to a worker process: values of its parameter or result type " +
                        $"{CSharpName.Of(argument)} cannot travel between processes ({reason}).",
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
            return new FunctionRef(Interlocked.Increment(ref s_lastId), method, delegateType, TargetKind.None, null, null);
        }
        ClosureShape shape = ClosureShape.Build(targetType, description, paramName, ClosureUsage.FieldsUsedBy(method));
        return new FunctionRef(Interlocked.Increment(ref s_lastId), method, delegateType, TargetKind.Closure, shape, targetType);
    }

    /// <summary>Whether <paramref name="type"/> is a task: <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>.</summary>
    private static bool IsTaskLike(Type type) =>
        typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) ||
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>);

    /// <summary>The refusal of a function that returns a task where Concur does not await it.</summary>
    private static ArgumentException NotAwaited(string description, Type result, string paramName) => new(
        $"Cannot send {description} to a worker process here: it returns {CSharpName.Of(result)}, and a task cannot " +
        "travel between processes as a value. Submit it through an overload that awaits it in the worker and sends " +
        "back its result: Submit(Func<Task<TResult>>), Submit(Func<T, Task<TResult>>, T) or Submit(Func<Task>), or " +
        "ProcessPool.Apply/ApplyAsync with Func<Task<TResult>> or Func<T, Task<TResult>>; C# picks them for an async " +
        "lambda or a method returning Task<TResult> (a ValueTask must be wrapped: async () => await F()). Map, Imap, " +
        "Starmap and the two-argument Submit take synchronous functions only: make the function synchronous, or " +
        "submit one async call per item.",
        paramName);

    /// <summary>
    /// Refuses an <c>async void</c> method or lambda: nothing can await it, so the worker would report it done at its
    /// first await and the rest would run unobserved, its exceptions crashing the worker.
    /// </summary>
    private static void ThrowIfAsyncVoid(MethodInfo method, string description, string paramName)
    {
        if (method.ReturnType == typeof(void) && method.IsDefined(typeof(System.Runtime.CompilerServices.AsyncStateMachineAttribute), inherit: false))
        {
            throw new ArgumentException(
                $"Cannot send {description} to a worker process: it is async void, so nothing can wait for it to finish " +
                "(the worker would report it done at its first await, and an exception after that would crash the " +
                "worker). Make it return Task and submit it as Func<Task>, whose task the worker awaits (an async " +
                "lambda passed straight to Submit is one); where only an Action is taken (a ChildProcess target or Run, " +
                "an initializer), make the body synchronous: call the async code and wait for it with " +
                ".GetAwaiter().GetResult().",
                paramName);
        }
    }

    private static readonly HashSet<Type> s_supportedDelegates =
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
