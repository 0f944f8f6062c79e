using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "processes")
{
    // Side-by-side figures for benchmarks/compare-processes.sh (same method as benchmarks/python/process_pool.py).
    Concur.Benchmarks.Processes.ProcessComparison.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "connections")
{
    // Side-by-side figures for benchmarks/compare-connections.sh (same method as benchmarks/python/connection.py).
    Concur.Benchmarks.Ipc.ConnectionComparison.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "queues")
{
    // Side-by-side figures for benchmarks/compare-queues.sh (same method as benchmarks/python/queue_throughput.py).
    Concur.Benchmarks.Ipc.QueueComparison.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "queues-profile")
{
    Concur.Benchmarks.Ipc.QueueProfile.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "processes-large")
{
    Concur.Benchmarks.Processes.LargePayloadBenchmarks.PeakMemory(args);
    return;
}

if (args.Length > 0 && args[0] == "processes-init")
{
    Concur.Benchmarks.Processes.StartupExperiment.InitCosts();
    return;
}

if (args.Length > 0 && args[0] == "pool-start")
{
    // Issue 12 point 2: pool creation to first result, for benchmarks/compare-pool-start.sh.
    Concur.Benchmarks.Processes.PoolStartComparison.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "round-trip-profile")
{
    Concur.Benchmarks.Processes.RoundTripProfile.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "processes-startup")
{
    Concur.Benchmarks.Processes.StartupExperiment.Run(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
