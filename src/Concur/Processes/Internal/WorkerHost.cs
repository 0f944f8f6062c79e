using System.Buffers;
using System.Globalization;
using System.IO.Pipes;
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

    /// <summary>Gets the id of the task this worker is running (0 between tasks): a hook for the tests that play a hostile worker.</summary>
    internal static long CurrentTaskId { get; private set; }

    /// <summary>Exit code: the arguments are not a worker's (started by hand, or by a mismatched version).</summary>
    internal const int BadArguments = 2;

    /// <summary>Exit code: the parent sent something that is not a well-formed frame, or the pipes failed.</summary>
    internal const int BadInput = 3;

    /// <summary>Runs the worker loop; returns the exit code. Never throws: bad arguments or input end the worker with a message on standard error.</summary>
    /// <param name="args"><c>--concur-worker parentPid inFd outFd dieWithParent name [claimsFd]</c>.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "The host's last line: report and exit, never an unhandled exception.")]
    internal static int Run(string[] args)
    {
        if (Environment.GetEnvironmentVariable("CONCUR_WORKER_TRACE") == "1")
        {
            Console.Error.WriteLine($"[worker {Environment.ProcessId}] main at {DateTime.UtcNow:ss.fff}");
        }
        if (args.Length < 5 || args.Length > 7 ||
            !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parentPid) || parentPid <= 0 ||
            !IsHandle(args[2]) || !IsHandle(args[3]) || args[4] is not ("0" or "1") || (args.Length == 7 && !IsHandle(args[6])))
        {
            Console.Error.WriteLine(
                $"Concur worker: bad arguments '{string.Join(' ', args)}'. A worker is started by Concur as " +
                $"'{LaunchPlan.WorkerArgument} <parent pid> <input pipe handle> <output pipe handle> <0|1 die with parent> [name] [claims handle]'; " +
                "it is not meant to be started by hand.");
            return BadArguments;
        }
        string inHandle = args[2];
        string outHandle = args[3];
        bool dieWithParent = args[4] == "1";
        CurrentProcess.Name = args.Length > 5 ? args[5] : "Worker";
        try
        {
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
            using TaskClaims? claims = args.Length == 7 ? TaskClaims.Attach(long.Parse(args[6], CultureInfo.InvariantCulture)) : null;
            return Serve(input, output, claims: claims);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Concur worker {Environment.ProcessId}: cannot serve its parent: {e.GetType().Name}: {e.Message}");
            return BadInput;
        }
    }

    /// <summary>
    /// Serves frames from <paramref name="input"/> until Exit, end of input or bad input; returns the exit code and
    /// never throws (a corrupt frame from the parent ends the worker with <see cref="BadInput"/> and a message).
    /// </summary>
    /// <param name="input">The pipe from the parent.</param>
    /// <param name="output">The pipe to the parent.</param>
    /// <param name="log">Where to report why the worker stops (standard error by default).</param>
    /// <param name="claims">The claims shared with the parent (a pool's worker), checked before each call runs.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "The host's last line: report and exit, never an unhandled exception.")]
    internal static int Serve(Stream input, Stream output, TextWriter? log = null, TaskClaims? claims = null)
    {
        log ??= Console.Error;
        try
        {
            using var loop = new Loop(input, output, claims);
            return loop.Run();
        }
        catch (CorruptFrameException e)
        {
            log.WriteLine($"Concur worker {Environment.ProcessId}: the parent sent a corrupt frame ({e.Message}); exiting.");
            return BadInput;
        }
        catch (IOException e)
        {
            log.WriteLine($"Concur worker {Environment.ProcessId}: a pipe to the parent failed ({e.Message}); exiting.");
            return BadInput;
        }
        catch (Exception e)
        {
            log.WriteLine($"Concur worker {Environment.ProcessId}: cannot go on ({e.GetType().Name}: {e.Message}); exiting.");
            return BadInput;
        }
    }

    private static bool IsHandle(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long handle) && handle >= 0;

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

    private sealed class Loop(Stream input, Stream output, TaskClaims? claims) : IDisposable
    {
        private readonly FrameReader _reader = new(input)
        {
            SpinMicroseconds = int.TryParse(Environment.GetEnvironmentVariable("CONCUR_WORKER_SPIN_US"), out int us) ? us : 0,
        };
        private readonly Dictionary<int, FunctionDefinition> _functions = [];
        private readonly Dictionary<int, Exception> _broken = [];
        private readonly FrameBuffer _buffer = new(4096);
        private readonly List<Array> _arrays = []; // The arrays that came before the next call frame.
        private long _arraysFor;

        // CONCUR_WORKER_TRACE=1 prints start-up timestamps to stderr (used to profile pool creation; nothing per call).
        private static readonly bool s_trace = Environment.GetEnvironmentVariable("CONCUR_WORKER_TRACE") == "1";

        private static void Note(string what)
        {
            if (s_trace)
            {
                Console.Error.WriteLine($"[worker {Environment.ProcessId}] {what} at {DateTime.UtcNow:ss.fff}");
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _buffer.Dispose();
        }

        private static ReadOnlyMemory<byte> Contiguous(ReadOnlySequence<byte> body) =>
            body.IsSingleSegment ? body.First : body.ToArray();

        public int Run()
        {
            Note("ready");
            output.Write(new FromWorker.Ready(Environment.ProcessId).Encode());
            while (_reader.TryReadHeader(out FrameHeader header))
            {
                if (header.Kind == FrameKind.Array)
                {
                    if (_arrays.Count > 0 && header.Id != _arraysFor)
                    {
                        throw new CorruptFrameException($"an Array frame for call {header.Id} after arrays for call {_arraysFor}");
                    }
                    _arraysFor = header.Id;
                    _arrays.Add(_reader.ReadArray(header));
                    continue;
                }
                if (_arrays.Count > 0 && (header.Id != _arraysFor ||
                    header.Kind is not (FrameKind.Invoke or FrameKind.InvokeChunk or FrameKind.Initialize or FrameKind.RunMain)))
                {
                    throw new CorruptFrameException($"a {header.Kind} frame for id {header.Id} after arrays for call {_arraysFor}");
                }
                ReadOnlySequence<byte> body = _reader.ReadBody(header);
                switch (header.Kind)
                {
                    case FrameKind.Define:
                        try
                        {
                            Note("define start");
                            _functions[(int)header.Id] = FunctionDefinition.Read(Contiguous(body));
                            Note("define end");
                        }
                        catch (Exception e)
                        {
                            _broken[(int)header.Id] = e;
                        }
                        break;
                    case FrameKind.Invoke:
                    case FrameKind.InvokeChunk:
                        if (claims is not null && !claims.TryStart(header.Id))
                        {
                            // The parent took this task back while it waited in the pipe: it runs elsewhere, or not at all.
                            TakeArrays();
                            output.Write(Frame.Empty(FrameKind.Skipped, header.Id));
                            break;
                        }
                        Call(ToWorker.Call.Decode(header, body));
                        break;
                    case FrameKind.Initialize:
                        if (!Call(ToWorker.Call.Decode(header, body)))
                        {
                            return 1;
                        }
                        break;
                    case FrameKind.RunMain:
                        return RunMain(ToWorker.Call.Decode(header, body));
                    case FrameKind.Exit:
                        return 0;
                    case FrameKind.AllowTypes:
                        foreach (string name in ToWorker.AllowTypes.Decode(body).Names)
                        {
                            ProcessTypeAllowlist.AllowFromParent(name);
                        }
                        break;
                    default:
                        throw new CorruptFrameException($"a frame of kind {(byte)header.Kind} (id {header.Id}), which a parent does not send");
                }
            }
            return 0; // The parent closed the control pipe.
        }

        private FunctionDefinition Lookup(int functionId)
        {
            if (_functions.TryGetValue(functionId, out FunctionDefinition? definition))
            {
                return definition;
            }
            if (_broken.TryGetValue(functionId, out Exception? error))
            {
                throw new InvalidOperationException(
                    $"The worker could not load the function: {error.GetType().Name}: {error.Message}", error);
            }
            throw new InvalidDataException($"Function {functionId} was never defined in this worker.");
        }

        private bool Call(ToWorker.Call call)
        {
            CurrentTaskId = call.TaskId;
            Frame.Begin(_buffer);
            var writer = new MessagePackWriter(_buffer);
            var outOfBand = OutOfBand.ForReading(TakeArrays());
            OutOfBand.Scope scope = OutOfBand.Use(outOfBand);
            try
            {
                FunctionDefinition definition = Lookup(call.FunctionId);
                var arguments = new MessagePackReader(call.Arguments);
                Delegate function = definition.Bind(ref arguments);
                if (call.Kind == FrameKind.InvokeChunk)
                {
                    definition.Invoker.InvokeChunk(function, ref arguments, ref writer);
                }
                else
                {
                    definition.Invoker.Invoke(function, ref arguments, ref writer);
                }
                writer.Flush();
                scope.Dispose();
                if (call.Kind != FrameKind.Initialize)
                {
                    Send(FrameKind.Result, call.TaskId, outOfBand.Outgoing);
                }
                CollectAfterLargeArrays(outOfBand);
                return true;
            }
            catch (Exception e)
            {
                scope.Dispose();
                Frame.Begin(_buffer);
                writer = new MessagePackWriter(_buffer);
                RemoteError.Write(ref writer, e);
                writer.Flush();
                Send(call.Kind == FrameKind.Initialize ? FrameKind.InitializeFailed : FrameKind.Error, call.TaskId);
                return false;
            }
        }

        private int RunMain(ToWorker.Call call)
        {
            using OutOfBand.Scope scope = OutOfBand.Use(OutOfBand.ForReading(TakeArrays()));
            try
            {
                FunctionDefinition definition = Lookup(call.FunctionId);
                var arguments = new MessagePackReader(call.Arguments);
                Delegate function = definition.Bind(ref arguments);
                Frame.Begin(_buffer);
                var writer = new MessagePackWriter(_buffer);
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

        /// <summary>Writes the answer in <see cref="_buffer"/>, segment by segment (a large result is never copied whole).</summary>
        /// <summary>
        /// After a task that moved large arrays, collects them now that the answer is sent. The GC would let them
        /// pile up: with a large machine's budget, nine 100 MiB round trips left nine dead arguments in the worker
        /// (900 MiB resident). A worker between tasks has nothing better to do, and the collection is cheap next to
        /// moving the arrays.
        /// </summary>
        private static void CollectAfterLargeArrays(OutOfBand outOfBand)
        {
            const long Large = 32L << 20;
            long bytes = 0;
            foreach (Array array in outOfBand.Incoming)
            {
                bytes += OutOfBand.ByteLength(array);
            }
            foreach (Array array in outOfBand.Outgoing)
            {
                bytes += OutOfBand.ByteLength(array);
            }
            if (bytes >= Large)
            {
                GC.Collect();
            }
        }

        private List<Array> TakeArrays()
        {
            if (_arrays.Count == 0)
            {
                return [];
            }
            List<Array> taken = [.. _arrays];
            _arrays.Clear();
            return taken;
        }

        private void Send(FrameKind kind, long id, IReadOnlyList<Array>? resultArrays = null)
        {
            foreach (Array array in resultArrays ?? [])
            {
                Frame.WriteArray(output, FrameKind.ResultArray, id, array);
            }
            Frame.SealHeader(_buffer, kind, id);
            _buffer.WriteTo(output);
            if (_buffer.SegmentCount > 1)
            {
                _buffer.Dispose(); // Do not keep a large result's segments between calls.
            }
        }
    }
}
