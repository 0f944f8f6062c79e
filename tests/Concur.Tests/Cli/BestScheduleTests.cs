using Concur.Cli.Bench;

namespace Concur.Tests.Cli;

/// <summary>The best-schedule bound that the efficiency column is measured against.</summary>
public sealed class BestScheduleTests
{
    [Fact]
    public void Compute_EqualTasks_SplitEvenly()
    {
        var best = BestSchedule.Compute([1, 1, 1, 1], workers: 2, processors: 2);
        Assert.Equal(2.0, best.Seconds, 12);
        Assert.Equal(ScheduleBound.Optimal, best.Method);
    }

    [Fact]
    public void Compute_LessonShape_FiveLongTasksOnTwoWorkersNeedThreeOnOne()
    {
        // The lesson's list: five 15-digit primes of about the same cost and one quick composite.
        var best = BestSchedule.Compute([1, 1, 1, 1, 1, 0.2], workers: 2, processors: 2);
        Assert.Equal(3.0, best.Seconds, 12);
        Assert.Equal(ScheduleBound.Optimal, best.Method);
    }

    [Fact]
    public void Compute_WhereLptIsNotOptimal_FindsTheOptimum()
    {
        // LPT: 3+2+2 | 3+2 = 7; the optimum is 3+3 | 2+2+2 = 6.
        double[] tasks = [3, 3, 2, 2, 2];
        Assert.Equal(7.0, BestSchedule.LptMakespan(tasks, 2), 12);
        var best = BestSchedule.Compute(tasks, workers: 2, processors: 2);
        Assert.Equal(6.0, best.Seconds, 12);
        Assert.Equal(ScheduleBound.Optimal, best.Method);
    }

    [Fact]
    public void Compute_MoreWorkersThanProcessors_BoundedByTheProcessors()
    {
        // Four workers could finish in 2 (two tasks on one worker), but two processors need 5 / 2.
        var best = BestSchedule.Compute([1, 1, 1, 1, 1], workers: 4, processors: 2);
        Assert.Equal(2.5, best.Seconds, 12);
    }

    [Fact]
    public void Compute_OneWorker_IsTheSum() => Assert.Equal(3.5, BestSchedule.Compute([1, 2, 0.5], 1, 2).Seconds, 12);

    [Fact]
    public void Compute_MoreWorkersThanTasks_IsTheLongestTask() => Assert.Equal(2.0, BestSchedule.Compute([1, 2, 0.5], 8, 8).Seconds, 12);

    [Fact]
    public void Compute_NoTasks_IsZero() => Assert.Equal(0.0, BestSchedule.Compute([], 2, 2).Seconds);

    [Fact]
    public void Compute_ManyUnevenTasks_IsNeverBelowTheLowerBoundsNorAboveLpt()
    {
        var random = new Random(12);
        var tasks = Enumerable.Range(0, 60).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var best = BestSchedule.Compute(tasks, workers: 3, processors: 4);
        Assert.True(best.Seconds >= tasks.Sum() / 3 - 1e-9);
        Assert.True(best.Seconds <= BestSchedule.LptMakespan([.. tasks.OrderDescending()], 3) + 1e-9);
        Assert.Contains(best.Method, new[] { ScheduleBound.Optimal, ScheduleBound.Lpt });
    }

    [Fact]
    public void Compute_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BestSchedule.Compute([1], 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => BestSchedule.Compute([1], 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BestSchedule.Compute([-1], 2, 2));
    }
}
