using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using Concur.Platform;

namespace Concur.Processes.Internal;

/// <summary>
/// Starts every Concur worker process from ONE long-lived thread, for two reasons: Linux's parent-death signal is
/// tied to the thread that forked the child (a thread-pool thread that retires would kill its children), and
/// starting one child at a time means no child inherits another child's pipe ends (which would hide end-of-file).
/// </summary>
internal static class ProcessSpawner
{
    private static readonly BlockingCollection<Request> s_requests = new();
    private static readonly Lazy<Thread> s_thread = new(StartThread);

    /// <summary>Starts a worker host; blocks until the process has started (not until it is ready).</summary>
    /// <param name="name">The process name reported inside the worker.</param>
    /// <param name="dieWithParent">Whether the worker must die when this process dies.</param>
    /// <exception cref="InvalidOperationException">Workers cannot be started from this application.</exception>
    /// <exception cref="PlatformNotSupportedException">Worker processes are not implemented on this system.</exception>
    /// <param name="redirectOutput">Whether to capture the worker's standard output (tests only).</param>
    /// <param name="environment">Extra environment variables for the worker (tests use it for GC limits).</param>
    /// <param name="claims">The worker's <see cref="TaskClaims"/>, whose descriptor it inherits (a pool's workers only).</param>
    public static SpawnedProcess Spawn(string name, bool dieWithParent, bool redirectOutput = false, IReadOnlyDictionary<string, string>? environment = null,
        TaskClaims? claims = null)
    {
        ProcessPlatform.Current.ThrowIfUnsupported();
        LaunchPlan.Current.ThrowIfUnusable();
        _ = s_thread.Value;
        var request = new Request(name, dieWithParent, redirectOutput, environment, claims);
        s_requests.Add(request);
        return request.Result.Task.GetAwaiter().GetResult();
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "Concur process spawner" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        foreach (Request request in s_requests.GetConsumingEnumerable())
        {
            try
            {
                request.Result.SetResult(Start(request));
            }
            catch (Exception e)
            {
                request.Result.SetException(e);
            }
        }
    }

    private static SpawnedProcess Start(Request request)
    {
        (string name, bool dieWithParent, bool redirectOutput) = (request.Name, request.DieWithParent, request.RedirectOutput);
        LaunchPlan plan = LaunchPlan.Current;
        var toWorker = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        var fromWorker = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        try
        {
            // Standard input is an empty pipe, as Python gives its children os.devnull: a worker must not compete with the
            // parent for the console's input. Standard output and error are the parent's own (shared console).
            var info = new ProcessStartInfo(plan.FileName) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = redirectOutput };
            foreach (string argument in plan.Prefix)
            {
                info.ArgumentList.Add(argument);
            }
            info.ArgumentList.Add(LaunchPlan.WorkerArgument);
            info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            info.ArgumentList.Add(toWorker.GetClientHandleAsString());
            info.ArgumentList.Add(fromWorker.GetClientHandleAsString());
            info.ArgumentList.Add(dieWithParent ? "1" : "0");
            info.ArgumentList.Add(name);
            if (request.Claims is { } claims)
            {
                info.ArgumentList.Add(claims.Memory.DangerousGetHandle().ToString(CultureInfo.InvariantCulture));
            }
            // A .NET process creates a diagnostics socket and debugger pipes in the temp directory and removes them
            // when it exits normally; a worker killed for a timeout or a crash would leave them behind. Workers run
            // without them unless CONCUR_WORKER_DIAGNOSTICS=1 (e.g. to attach dotnet-trace to a worker).
            if (Environment.GetEnvironmentVariable("CONCUR_WORKER_DIAGNOSTICS") != "1")
            {
                info.Environment["DOTNET_EnableDiagnostics"] = "0";
            }
            if (request.Environment is not null)
            {
                foreach ((string key, string value) in request.Environment)
                {
                    info.Environment[key] = value;
                }
            }
            // Workers do not need the parent's tiered-compilation warm-up tricks, but they must not pick up a
            // DOTNET_ variable that only makes sense for the parent's own host; nothing to change by default.
            if (Environment.GetEnvironmentVariable("CONCUR_WORKER_TRACE") == "1")
            {
                Console.Error.WriteLine($"[parent] spawn {name} at {DateTime.UtcNow:ss.fff}");
            }
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {plan.FileName}.");
            process.StandardInput.Close();
            if (dieWithParent)
            {
                ProcessPlatform.Current.AdoptChild(process);
            }
            toWorker.DisposeLocalCopyOfClientHandle();
            fromWorker.DisposeLocalCopyOfClientHandle();
            // The worker has its own descriptor now; the parent keeps only the mapping, so no later child inherits it.
            request.Claims?.Memory.Dispose();
            return new SpawnedProcess(process, toWorker, fromWorker);
        }
        catch
        {
            toWorker.Dispose();
            fromWorker.Dispose();
            throw;
        }
    }

    private sealed class Request(string name, bool dieWithParent, bool redirectOutput, IReadOnlyDictionary<string, string>? environment, TaskClaims? claims)
    {
        public TaskClaims? Claims { get; } = claims;

        public IReadOnlyDictionary<string, string>? Environment { get; } = environment;

        public bool RedirectOutput { get; } = redirectOutput;

        public string Name { get; } = name;

        public bool DieWithParent { get; } = dieWithParent;

        public TaskCompletionSource<SpawnedProcess> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
