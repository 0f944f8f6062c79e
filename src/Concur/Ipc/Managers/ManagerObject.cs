using System.Linq.Expressions;
using System.Reflection;
using Concur.Ipc.Managers.Internal;
using Concur.Serialization;
using Concur.Threading.Internal;

namespace Concur;

/// <summary>
/// An instance of a registered type held by a <see cref="ProcessManager"/>: Python's proxy for a type given to
/// <c>BaseManager.register</c>. Get one from <see cref="ProcessManager.Share{T}"/>; call its methods with
/// <see cref="Invoke{TResult}(Expression{Func{T, TResult}})"/>, <c>counter.Invoke(c =&gt; c.Add(5))</c>: the call runs
/// in the manager's process, on the one instance every proxy shares.
/// </summary>
/// <remarks>
/// <para>
/// The expression is one call of a public instance method (or one read of a public property) on the lambda's
/// parameter; its arguments are evaluated here and travel by the parameters' declared types, and the result comes
/// back by the return type, as a copy. An exception thrown by the method arrives as a <see cref="RemoteException"/>
/// with the original type's name, message and stack trace. Calls on one instance run one at a time in the manager,
/// so the type need not be thread-safe (a method that blocks holds up the other callers of that instance).
/// </para>
/// <para>
/// When the manager has gone, every member throws an <see cref="IOException"/> naming its address. Thread-safe.
/// </para>
/// </remarks>
/// <typeparam name="T">The registered type.</typeparam>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class ManagerObject<T>
    where T : class
{
    private readonly ManagerHandle _handle;

    internal ManagerObject(ManagerHandle handle) => _handle = handle;

    /// <summary>Calls a method that returns a value, in the manager, and returns a copy of its result.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">One call on the lambda's parameter, as <c>c =&gt; c.Add(5)</c>, or one property read.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="call"/> is not one call of a public instance method on its parameter, or an argument cannot travel.</exception>
    /// <exception cref="RemoteException">The method threw.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public TResult Invoke<TResult>(Expression<Func<T, TResult>> call) =>
        (TResult)SyncOrAsync.RunSync(CallCore(Parse(call), sync: true, default))!;

    /// <summary>Calls a method in the manager (its result, if any, is dropped).</summary>
    /// <param name="call">One call on the lambda's parameter, as <c>c =&gt; c.Reset()</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="call"/> is not one call of a public instance method on its parameter, or an argument cannot travel.</exception>
    /// <exception cref="RemoteException">The method threw.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public void Invoke(Expression<Action<T>> call) => SyncOrAsync.RunSync(CallCore(Parse(call), sync: true, default));

    /// <summary>Asynchronously calls a method that returns a value, as <see cref="Invoke{TResult}(Expression{Func{T, TResult}})"/>.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">One call on the lambda's parameter.</param>
    /// <param name="cancellationToken">Cancels the wait for the answer (the call may still run in the manager).</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="call"/> is not one call of a public instance method on its parameter, or an argument cannot travel.</exception>
    /// <exception cref="RemoteException">The method threw.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask<TResult> InvokeAsync<TResult>(Expression<Func<T, TResult>> call, CancellationToken cancellationToken = default) =>
        (TResult)(await CallCore(Parse(call), sync: false, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Asynchronously calls a method, as <see cref="Invoke(Expression{Action{T}})"/>.</summary>
    /// <param name="call">One call on the lambda's parameter.</param>
    /// <param name="cancellationToken">Cancels the wait for the answer (the call may still run in the manager).</param>
    /// <returns>A task that completes when the call has returned.</returns>
    /// <exception cref="ArgumentException"><paramref name="call"/> is not one call of a public instance method on its parameter, or an argument cannot travel.</exception>
    /// <exception cref="RemoteException">The method threw.</exception>
    /// <exception cref="IOException">The manager is gone.</exception>
    public async ValueTask InvokeAsync(Expression<Action<T>> call, CancellationToken cancellationToken = default) =>
        await CallCore(Parse(call), sync: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Gets a copy of the whole instance as it is now in the manager (Python's <c>_getvalue()</c>).</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="IOException">The manager is gone.</exception>
    public T GetCopy() => SyncOrAsync.RunSync(_handle.CallCore(
        ManagerOp.ObjectGet,
        this,
        null,
        static (ManagerStatus s, ref FrameReader a, in ManagerObject<T> self) => ManagerCodec.Read<T>(a.ReadBlob(), self._handle),
        sync: true,
        default));

    /// <summary>Describes the proxy (no round trip).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"ManagerObject<{CSharpName.Of(typeof(T))}> ({_handle.Description})";

    private static PreparedCall Parse(LambdaExpression call)
    {
        ArgumentNullException.ThrowIfNull(call);
        ParameterExpression target = call.Parameters[0];
        Expression body = call.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : call.Body;
        MethodInfo method;
        System.Collections.ObjectModel.ReadOnlyCollection<Expression> arguments;
        switch (body)
        {
            case MethodCallExpression { Object: { } on } m when Unwrap(on) == target:
                method = m.Method;
                arguments = m.Arguments;
                break;
            case MemberExpression { Member: PropertyInfo { GetMethod: { } getter }, Expression: { } on } when Unwrap(on) == target:
                method = getter;
                arguments = System.Collections.ObjectModel.ReadOnlyCollection<Expression>.Empty;
                break;
            default:
                throw new ArgumentException(
                    $"A call to a manager's {CSharpName.Of(typeof(T))} is one method call or property read on the lambda's parameter, " +
                    $"as x => x.Method(arguments); '{call.Body}' is not.", nameof(call));
        }
        if (!method.IsPublic || method.IsStatic || method.IsGenericMethod)
        {
            throw new ArgumentException($"{CSharpName.Of(typeof(T))}.{method.Name} cannot be called in a manager: only public, non-generic instance methods can.", nameof(call));
        }
        ParameterInfo[] parameters = method.GetParameters();
        if (Array.Find(parameters, static p => p.ParameterType.IsByRef) is { } byRef)
        {
            throw new ArgumentException($"{CSharpName.Of(typeof(T))}.{method.Name} has the by-reference parameter '{byRef.Name}', which cannot travel to a manager.", nameof(call));
        }
        if (method.ReturnType != typeof(void))
        {
            ManagerCodec.ThrowIfUnsendable(method.ReturnType, nameof(call));
        }
        object?[] values = new object?[arguments.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Evaluate(arguments[i]);
        }
        return new PreparedCall(method, parameters, values);
    }

    private static Expression Unwrap(Expression e) => e is UnaryExpression { NodeType: ExpressionType.Convert } c ? c.Operand : e;

    /// <summary>Evaluates an argument: constants and captured variables directly, anything else by compiling it.</summary>
    private static object? Evaluate(Expression argument) => argument switch
    {
        ConstantExpression constant => constant.Value,
        MemberExpression { Member: FieldInfo field, Expression: var on } => field.GetValue(on is null ? null : Evaluate(on)),
        _ => Expression.Lambda<Func<object?>>(Expression.Convert(argument, typeof(object))).Compile(preferInterpretation: true)(),
    };

    private ValueTask<object?> CallCore(PreparedCall call, bool sync, CancellationToken cancellationToken) => _handle.CallCore(
        ManagerOp.ObjectCall,
        (call, this),
        static (FrameBuilder r, in (PreparedCall Call, ManagerObject<T> Self) a) =>
        {
            r.WriteString(MethodSignature.Of(a.Call.Method));
            r.WriteInt32(a.Call.Parameters.Length);
            for (int i = 0; i < a.Call.Parameters.Length; i++)
            {
                ManagerCodec.WriteBlob(r, a.Call.Parameters[i].ParameterType, a.Call.Arguments[i], $"The argument '{a.Call.Parameters[i].Name}' of {CSharpName.Of(typeof(T))}.{a.Call.Method.Name}");
            }
        },
        static (ManagerStatus s, ref FrameReader a, in (PreparedCall Call, ManagerObject<T> Self) x) =>
            x.Call.Method.ReturnType == typeof(void) ? null : ManagerCodec.Read(x.Call.Method.ReturnType, a.ReadBlob(), x.Self._handle.Description),
        sync,
        cancellationToken);

    private sealed record PreparedCall(MethodInfo Method, ParameterInfo[] Parameters, object?[] Arguments);
}
