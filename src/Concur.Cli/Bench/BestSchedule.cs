namespace Concur.Cli.Bench;

/// <summary>
/// The best possible wall time of a list of independent tasks on some number of workers, from each task's measured
/// time: what a perfect pool with no overhead would reach, so a measured run can be read as a fraction of it.
/// </summary>
/// <remarks>
/// <para>
/// Each task runs whole on one worker (a worker cannot split <c>is_prime(n)</c>). With no more workers than
/// processors this is the makespan of the optimal assignment (P||Cmax); it is found by a depth-first search over
/// assignments, longest task first, with the longest-processing-time-first (LPT) schedule as the first bound.
/// The problem is NP-hard, so the search stops after <see cref="NodeLimit"/> steps and then reports LPT, which is at
/// most 4/3 of the optimum (Graham, 1969); <see cref="ScheduleBound.Method"/> says which.
/// </para>
/// <para>
/// With more workers than processors the workers share the processors, so the wall time is also at least the total
/// work divided by the processor count; time slicing can reach that bound even when whole tasks cannot be split
/// evenly over the processors, so the bound is the larger of the two.
/// </para>
/// </remarks>
internal static class BestSchedule
{
    /// <summary>How many search steps are tried before the search settles for LPT.</summary>
    /// <remarks>A few milliseconds of search; the lesson's lists at any scale are far below it for 2 workers.</remarks>
    public const int NodeLimit = 2_000_000;

    /// <summary>Computes the best possible wall time of <paramref name="taskSeconds"/> on <paramref name="workers"/> workers.</summary>
    /// <param name="taskSeconds">Each task's time when run alone, in seconds; none negative.</param>
    /// <param name="workers">The number of workers, at least 1.</param>
    /// <param name="processors">The number of processors the workers share, at least 1.</param>
    /// <returns>The best makespan and whether it is proven optimal or LPT's.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="processors"/> is below 1, or a time is negative.</exception>
    public static ScheduleBound Compute(IReadOnlyList<double> taskSeconds, int workers, int processors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(processors, 1);
        if (taskSeconds.Any(t => t < 0 || double.IsNaN(t)))
        {
            throw new ArgumentOutOfRangeException(nameof(taskSeconds), "Task times must be zero or positive.");
        }
        var tasks = taskSeconds.OrderByDescending(t => t).ToArray();
        if (tasks.Length == 0)
        {
            return new ScheduleBound(0, ScheduleBound.Optimal);
        }
        var machines = Math.Min(workers, tasks.Length);
        var (makespan, method) = Makespan(tasks, machines);
        var shared = workers > processors ? tasks.Sum() / processors : 0;
        return new ScheduleBound(Math.Max(makespan, shared), method);
    }

    /// <summary>The longest-processing-time-first makespan: each task, longest first, to the least loaded worker.</summary>
    /// <param name="descending">The task times, longest first.</param>
    /// <param name="machines">The number of workers.</param>
    internal static double LptMakespan(double[] descending, int machines)
    {
        var loads = new double[machines];
        foreach (var t in descending)
        {
            var least = 0;
            for (var m = 1; m < machines; m++)
            {
                if (loads[m] < loads[least])
                {
                    least = m;
                }
            }
            loads[least] += t;
        }
        return loads.Max();
    }

    private static (double Makespan, string Method) Makespan(double[] descending, int machines)
    {
        var upper = LptMakespan(descending, machines);
        var lower = Math.Max(descending[0], descending.Sum() / machines);
        if (descending.Length > machines)
        {
            // The (m+1)-th longest task shares a worker with one of the m longest.
            lower = Math.Max(lower, descending[machines - 1] + descending[machines]);
        }
        if (upper <= lower * (1 + 1e-12))
        {
            return (upper, ScheduleBound.Optimal);
        }
        var search = new Search(descending, machines, upper, lower);
        return search.Run() ? (search.Best, ScheduleBound.Optimal) : (upper, ScheduleBound.Lpt);
    }

    /// <summary>Depth-first branch and bound over assignments of tasks (longest first) to workers.</summary>
    private sealed class Search(double[] tasks, int machines, double upper, double lower)
    {
        private readonly double[] _loads = new double[machines];
        private readonly double[] _remaining = Suffix(tasks);
        private long _nodes;

        /// <summary>Gets the best makespan found so far.</summary>
        public double Best { get; private set; } = upper;

        /// <summary>Searches; returns false if the step limit stopped it before it could prove the optimum.</summary>
        public bool Run()
        {
            Visit(0, 0);
            return _nodes <= NodeLimit;
        }

        private static double[] Suffix(double[] tasks)
        {
            var sums = new double[tasks.Length + 1];
            for (var i = tasks.Length - 1; i >= 0; i--)
            {
                sums[i] = sums[i + 1] + tasks[i];
            }
            return sums;
        }

        // Returns true when the search may stop: the optimum is proven (Best reached the lower bound) or the limit hit.
        private bool Visit(int index, double currentMax)
        {
            if (++_nodes > NodeLimit)
            {
                return true;
            }
            if (index == tasks.Length)
            {
                Best = currentMax;
                return Best <= lower * (1 + 1e-12);
            }
            // Even spreading the rest perfectly cannot beat the best found: prune.
            var total = 0.0;
            foreach (var load in _loads)
            {
                total += load;
            }
            if (Math.Max(currentMax, (total + _remaining[index]) / machines) >= Best * (1 - 1e-12))
            {
                return false;
            }
            for (var m = 0; m < machines; m++)
            {
                // Workers with the same load are interchangeable: try only the first of them.
                var duplicate = false;
                for (var k = 0; k < m; k++)
                {
                    if (_loads[k] == _loads[m])
                    {
                        duplicate = true;
                        break;
                    }
                }
                if (duplicate || _loads[m] + tasks[index] >= Best * (1 - 1e-12))
                {
                    continue;
                }
                _loads[m] += tasks[index];
                var stop = Visit(index + 1, Math.Max(currentMax, _loads[m]));
                _loads[m] -= tasks[index];
                if (stop)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
