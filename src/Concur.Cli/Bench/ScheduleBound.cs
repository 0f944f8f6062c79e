namespace Concur.Cli.Bench;

/// <summary>The shortest wall time a set of tasks can take on some number of workers, and how it was found.</summary>
/// <param name="Seconds">The makespan of the best schedule found, in seconds.</param>
/// <param name="Method">
/// <see cref="Optimal"/> when an exhaustive search proved it optimal, <see cref="Lpt"/> when the search was cut
/// short and the longest-processing-time-first schedule is reported (at most 4/3 of the optimum).
/// </param>
internal sealed record ScheduleBound(double Seconds, string Method)
{
    /// <summary>The method name of a proven optimum.</summary>
    public const string Optimal = "optimal";

    /// <summary>The method name of the longest-processing-time-first schedule.</summary>
    public const string Lpt = "lpt";
}
