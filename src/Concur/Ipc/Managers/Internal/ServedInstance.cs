using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Reflection;
using Concur.Serialization;
using MessagePack;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// An instance of a registered type in the manager server (Python's objects of <c>BaseManager.register</c>): proxies
/// call its public instance methods by signature; the arguments arrive by the parameters' declared types, the result
/// goes back by the return type, and an exception goes back as a <see cref="RemoteException"/>. Calls on one instance
/// run one at a time, so the type need not be thread-safe.
/// </summary>
internal sealed class ServedInstance : ServedObject
{
    private static readonly ConcurrentDictionary<(Type Type, string Signature), MethodInfo?> s_methods = new();

    private readonly object _instance;
    private readonly Type _type;
    private readonly Lock _sync = new();

    /// <summary>Initializes the served object around <paramref name="instance"/>.</summary>
    public ServedInstance(string signature, object instance)
        : base(ManagerKind.Object, signature)
    {
        _instance = instance;
        _type = instance.GetType();
    }

    /// <inheritdoc/>
    public override void Handle(ManagerOp op, ref FrameReader request, FrameBuilder answer, Socket client)
    {
        switch (op)
        {
            case ManagerOp.ObjectCall:
                Call(ref request, answer);
                break;
            case ManagerOp.ObjectGet:
                lock (_sync)
                {
                    answer.StartAnswer(ManagerStatus.Ok);
                    WriteValue(answer, _type, _instance);
                }
                break;
            default:
                throw NotSupported(op);
        }
    }

    private void Call(ref FrameReader request, FrameBuilder answer)
    {
        string signature = request.ReadString();
        MethodInfo method = s_methods.GetOrAdd((_type, signature), static key => Array.Find(
                key.Type.GetMethods(BindingFlags.Instance | BindingFlags.Public),
                m => !m.IsGenericMethodDefinition && MethodSignature.Of(m) == key.Signature))
            ?? throw new InvalidOperationException(
                $"{CSharpName.Of(_type)} has no public instance method {signature} in the process manager: the client and the server run different builds of the type.");
        ParameterInfo[] parameters = method.GetParameters();
        int count = request.ReadCount(minElementSize: 4);
        if (count != parameters.Length)
        {
            throw new InvalidOperationException($"{CSharpName.Of(_type)}.{signature} takes {parameters.Length} arguments; {count} arrived.");
        }
        object?[] arguments = new object?[count];
        for (int i = 0; i < count; i++)
        {
            arguments[i] = ManagerCodec.Read(parameters[i].ParameterType, request.ReadBlob(), $"argument '{parameters[i].Name}' of {CSharpName.Of(_type)}.{method.Name}");
        }
        object? result;
        lock (_sync)
        {
            try
            {
                result = method.Invoke(_instance, arguments);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                answer.StartAnswer(ManagerStatus.Thrown);
                int at = answer.BeginBlob();
                var writer = new MessagePackWriter(answer);
                RemoteError.Write(ref writer, e.InnerException);
                writer.Flush();
                answer.EndBlob(at);
                return;
            }
        }
        answer.StartAnswer(ManagerStatus.Ok);
        if (method.ReturnType != typeof(void))
        {
            WriteValue(answer, method.ReturnType, result);
        }
    }

    private static void WriteValue(FrameBuilder answer, Type declared, object? value)
    {
        int at = answer.BeginBlob();
        try
        {
            using (OutOfBand.Use(null))
            {
                var writer = new MessagePackWriter(answer);
                ValueCodec.For(declared).Write(ref writer, value);
                writer.Flush();
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidOperationException(SendableTypes.Refusal("The result", declared, e, "back from a process manager"), e);
        }
        answer.EndBlob(at);
    }
}
