using System.Diagnostics;
using System.IO.Pipes;

namespace Concur.Processes.Internal;

/// <summary>A started worker host: the process and the parent's ends of its two pipes.</summary>
/// <param name="Process">The worker process.</param>
/// <param name="ToWorker">The pipe the parent writes frames to.</param>
/// <param name="FromWorker">The pipe the parent reads frames from.</param>
internal sealed record SpawnedProcess(Process Process, AnonymousPipeServerStream ToWorker, AnonymousPipeServerStream FromWorker);
