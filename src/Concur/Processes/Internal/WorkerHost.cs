using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Concur.Platform;
using Concur.Serialization;
using MessagePack;

namespace Concur.Processes.Internal;

/// <summary>
/// The worker process's side: Concur.dll's entry point (and <see cref="ConcurWorker.TryRunWorker"/>'s body).
/// One thread reads a frame, runs it, writes the answer, in order; parent death is noticed by the platform's
/// parent-death signal and by a watch on the control pipe, so a worker never outlives its parent.
/// </summary>
internal static class WorkerHost
{
    /// <summary>The entry point when Concur.dll is started as a program.</summary>
    /// <param name="args">The worker arguments, starting with <see cref="LaunchPlan.WorkerArgument"/>.</param>
    /// <returns>The process exit code.</returns>
    internal static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != LaunchPlan.WorkerArgument)
        {
            Console.Error.WriteLine(
                "Concur.dll is a library. Started as a program it only serves as Concur's worker process host.");
            return 2;
        }
        return Run(args);
    }

    /// <summary>Runs the worker loop; returns the exit code.</summary>
    /// <param name="args"><c>--concur-worker parentPid inFd outFd dieWithParent name</c>.</param>
    internal static int Run(string[] args)
    {
        if (Environment.GetEnvironmentVariable("CONCUR_WORKER_TRACE") == "1")
        {
            Console.Error.WriteLine($"[worker {Environment.ProcessId}] main at {DateTime.UtcNow:ss.fff}");
        }
        int parentPid = int.Parse(args[1], CultureInfo.InvariantCulture);
        string inHandle = args[2];
        string outHandle = args[3];
        bool dieWithParent = args[4] == "1";
        CurrentProcess.Name = args.Length > 5 ? args[5] : "Worker";
        IProcessPlatform platform = ProcessPlatform.Current;
        if (dieWithParent)
        {
            if (!platform.BindLifetimeToParent(parentPid))
            {
                return 0;
            }
            platform.WatchControlChannel(inHandle, () => platform.ExitImmediately(0));
        }

        // JIT and initialise the serializer and the reflection paths on another thread while the parent sends the
        // first frames: on a cold worker these cost tens of milliseconds, all on the first task's critical path.
        var warmUp = new Thread(WarmUp) { IsBackground = true, Name = "Concur worker warm-up" };
        warmUp.Start();
        using var input = new AnonymousPipeClientStream(PipeDirection.In, inHandle);
        using var output = new AnonymousPipeClientStream(PipeDirection.Out, outHandle);
        var loop = new Loop(input, output);
        return loop.Run();
    }

    private static void WarmUp()
    {
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            var writer = new MessagePackWriter(buffer);
            Payload.Write(ref writer, 1);
            Payload.Write(ref writer, "s");
            writer.Flush();
            var reader = new MessagePackReader(buffer.WrittenMemory);
            Payload.Read<int>(ref reader);
            Payload.Read<string>(ref reader);
            _ = Invoker.For(typeof(Func<int, int>));
            _ = Type.GetType(typeof(Func<int, int>).AssemblyQualifiedName!, throwOnError: false);
        }
        catch (Exception)
        {
            // Warm-up is best effort.
        }
    }

    private sealed class Loop(Stream input, Stream output)
    {
        private readonly FrameReader reader = new(input);
        private readonly Dictionary<int, FunctionDefinition> functions = [];
        private readonly Dictionary<int, Exception> broken = [];
        private readonly ArrayBufferWriter<byte> buffer = new(4096);

        // CONCUR_WORKER_TRACE=1 prints start-up timestamps to stderr (used to profile pool creation; nothing per call).
        private static readonly bool Trace = Environment.GetEnvironmentVariable("CONCUR_WORKER_TRACE") == "1";

        private static void Note(string what)
        {
            if (Trace)
            {
                Console.Error.WriteLine($"[worker {Environment.ProcessId}] {what} at {DateTime.UtcNow:ss.fff}");
            }
        }

        public int Run()
        {
            Note("ready");
            output.Write(Frame.Empty(FrameKind.Ready, Environment.ProcessId));
            while (reader.TryRead(out FrameKind kind, out long id, out ReadOnlyMemory<byte> body))
            {
                switch (kind)
                {
                    case FrameKind.Define:
                        try
                        {
                            Note("define start");
                            functions[(int)id] = FunctionDefinition.Read(body);
                            Note("define end");
                        }
                        catch (Exception e)
                        {
                            broken[(int)id] = e;
                        }
                        break;
                    case FrameKind.Invoke:
                    case FrameKind.InvokeChunk:
                        Call(kind, id, body);
                        break;
                    case FrameKind.Initialize:
                        if (!Call(kind, id, body))
                        {
                            return 1;
                        }
                        break;
                    case FrameKind.RunMain:
                        return RunMain(body);
                    case FrameKind.Exit:
                        return 0;
                    case FrameKind.AllowTypes:
                        var names = new MessagePackReader(body);
                        int count = names.ReadArrayHeader();
                        for (int i = 0; i < count; i++)
                        {
                            ProcessTypeAllowlist.AllowFromParent(names.ReadString()!);
                        }
                        break;
                    default:
                        throw new InvalidDataException($"Unexpected frame {kind} in a Concur worker.");
                }
            }
            return 0; // The parent closed the control pipe.
        }

        private FunctionDefinition Lookup(int functionId)
        {
            if (functions.TryGetValue(functionId, out FunctionDefinition? definition))
            {
                return definition;
            }
            if (broken.TryGetValue(functionId, out Exception? error))
            {
                throw new InvalidOperationException(
                    $"The worker could not load the function: {error.GetType().Name}: {error.Message}", error);
            }
            throw new InvalidDataException($"Function {functionId} was never defined in this worker.");
        }

        private bool Call(FrameKind kind, long id, ReadOnlyMemory<byte> body)
        {
            Frame.Begin(buffer);
            var writer = new MessagePackWriter(buffer);
            try
            {
                FunctionDefinition definition = Lookup(BinaryPrimitives.ReadInt32LittleEndian(body.Span));
                var arguments = new MessagePackReader(body[4..]);
                Delegate function = definition.Bind(ref arguments);
                if (kind == FrameKind.InvokeChunk)
                {
                    definition.Invoker.InvokeChunk(function, ref arguments, ref writer);
                }
                else
                {
                    definition.Invoker.Invoke(function, ref arguments, ref writer);
                }
                writer.Flush();
                if (kind != FrameKind.Initialize)
                {
                    Send(FrameKind.Result, id);
                }
                return true;
            }
            catch (Exception e)
            {
                Frame.Begin(buffer);
                writer = new MessagePackWriter(buffer);
                RemoteError.Write(ref writer, e);
                writer.Flush();
                Send(kind == FrameKind.Initialize ? FrameKind.InitializeFailed : FrameKind.Error, id);
                return false;
            }
        }

        private int RunMain(ReadOnlyMemory<byte> body)
        {
            try
            {
                FunctionDefinition definition = Lookup(BinaryPrimitives.ReadInt32LittleEndian(body.Span));
                var arguments = new MessagePackReader(body[4..]);
                Delegate function = definition.Bind(ref arguments);
                Frame.Begin(buffer);
                var writer = new MessagePackWriter(buffer);
                definition.Invoker.Invoke(function, ref arguments, ref writer);
                return 0;
            }
            catch (Exception e)
            {
                Exception shown = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
                // As Python prints "Process <name>:" and the traceback to stderr, then exits with 1.
                Console.Error.WriteLine($"Process {CurrentProcess.Name}:");
                Console.Error.WriteLine(shown.ToString());
                return 1;
            }
        }

        private void Send(FrameKind kind, long id)
        {
            Span<byte> frame = MemoryMarshal.AsMemory(buffer.WrittenMemory).Span;
            Frame.WriteHeader(frame, kind, id, frame.Length - 4);
            output.Write(frame);
        }
    }
}
