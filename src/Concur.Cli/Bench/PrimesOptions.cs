namespace Concur.Cli.Bench;

/// <summary>What <c>concur bench primes</c> was asked to do, after its options were validated.</summary>
/// <param name="Workload">The numbers Concur's rows check.</param>
/// <param name="PythonWorkload">The numbers CPython's rows check: the same as <paramref name="Workload"/> unless the scales differ.</param>
/// <param name="WorkerCounts">The worker counts of the parallel rows.</param>
/// <param name="Runs">Timed runs per row.</param>
/// <param name="NoPython">Whether <c>--no-python</c> was given.</param>
/// <param name="ChartPath">The full path of the PNG to write, or null.</param>
/// <param name="ClusterNodes">With <c>--cluster N</c>, the node processes of the cluster rows; 0 for no cluster rows.</param>
internal sealed record PrimesOptions(PrimesWorkload Workload, PrimesWorkload PythonWorkload, IReadOnlyList<int> WorkerCounts, int Runs, bool NoPython, string? ChartPath, int ClusterNodes = 0);
