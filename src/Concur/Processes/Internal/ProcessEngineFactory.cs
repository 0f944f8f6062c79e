using Concur.Serialization;

namespace Concur.Processes.Internal;

/// <summary>Creates a <see cref="ProcessPoolEngine"/> from the public constructors' arguments.</summary>
internal static class ProcessEngineFactory
{
    /// <summary>Validates the initializer and starts the engine.</summary>
    public static ProcessPoolEngine Create(string kind, int maxWorkers, Delegate? initializer, int maxTasksPerChild,
        IReadOnlyDictionary<string, string>? workerEnvironment = null, ChannelLimits? limits = null)
    {
        if (maxWorkers == 0)
        {
            maxWorkers = Environment.ProcessorCount;
        }
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
