using System.Diagnostics;
using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>Creates a <see cref="ProcessPoolEngine"/> from the public constructors' arguments.</summary>
internal static class ProcessEngineFactory
{
    /// <summary>Validates the initializer and starts the engine.</summary>
    /// <summary>
    /// Resolves the worker count a constructor was given: <see langword="null"/> means one per processor; 0 and below
    /// are refused (CPython raises <c>ValueError</c> for <c>max_workers=0</c> and <c>Pool(0)</c>), with the same rule
    /// and message as <see cref="ThreadPoolExecutor"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="requested"/> is 0 or negative.</exception>
    public static int Workers(int? requested, string paramName) => requested switch
    {
        null => Environment.ProcessorCount,
        <= 0 => throw new ArgumentOutOfRangeException(paramName, requested,
            $"{paramName} must be at least 1; pass null for the default of one worker process per processor ({Environment.ProcessorCount} here)."),
        _ => requested.Value,
    };

    /// <summary>Resolves a tasks-per-child limit: <see langword="null"/> is none (0 inside the engine); 0 and below are refused, as CPython does.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="requested"/> is 0 or negative.</exception>
    public static int TasksPerChild(int? requested, string paramName) => requested switch
    {
        null => 0,
        <= 0 => throw new ArgumentOutOfRangeException(paramName, requested,
            $"{paramName} must be at least 1; pass null for no limit (workers are then never replaced)."),
        _ => requested.Value,
    };

    public static ProcessPoolEngine Create(string kind, int maxWorkers, Delegate? initializer, int maxTasksPerChild,
        IReadOnlyDictionary<string, string>? workerEnvironment = null, ChannelLimits? limits = null)
    {
        Debug.Assert(maxWorkers > 0 && maxTasksPerChild >= 0, "The public constructors validate.");
        FunctionRef? reference = null;
        OutgoingFrame? frame = null;
        if (initializer is not null)
        {
            reference = FunctionRef.From(initializer, nameof(initializer));
            frame = CallFrames.Build(FrameKind.Initialize, 0, reference, CallFrames.TargetState(reference, initializer.Target, nameof(initializer)));
        }
        return new ProcessPoolEngine(kind, maxWorkers, reference, frame, maxTasksPerChild, workerEnvironment, limits);
    }
}
