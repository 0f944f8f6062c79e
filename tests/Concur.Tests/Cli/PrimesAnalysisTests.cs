using Concur.Cli.Bench;

namespace Concur.Tests.Cli;

/// <summary>The figures derived from measured rows: spread, speedup, efficiency per worker and against the best schedule.</summary>
public sealed class PrimesAnalysisTests
{
    [Fact]
    public void Figures_ComputeSpreadSpeedupAndEfficiencyAgainstOwnSequential()
    {
        var result = new RuntimeResult(
            [
                new BenchRow(Runtimes.Concur, BenchMode.Sequential, 1, Starts.None, [4.2, 4.0, 3.9]),
                new BenchRow(Runtimes.Concur, "threads", 2, Starts.Warm, [2.5, 2.2, 2.4]),
            ],
            [1.0, 1.0, 1.0, 1.0]);

        var figures = PrimesAnalysis.Figures(result, processors: 2);

        var sequential = figures[0];
        Assert.Equal((3.9, 4.0, 4.2), (sequential.Min, sequential.Median, sequential.Max));
        Assert.Equal(1.0, sequential.Speedup);
        Assert.Equal(4.0, sequential.BestSeconds, 12);
        Assert.Equal(1.0, sequential.VsBest, 12);

        var threads = figures[1];
        Assert.Equal((2.2, 2.4, 2.5), (threads.Min, threads.Median, threads.Max));
        Assert.Equal(4.0 / 2.4, threads.Speedup, 12);
        Assert.Equal(4.0 / 2.4 / 2, threads.Efficiency, 12);
        Assert.Equal(2.0, threads.BestSeconds, 12);
        Assert.Equal(ScheduleBound.Optimal, threads.BestMethod);
        Assert.Equal(2.0 / 2.4, threads.VsBest, 12);
        Assert.Equal([2.5, 2.2, 2.4], threads.Samples);
    }

    [Fact]
    public void Figures_LessonListOnTwoWorkers_BestIsThreeLongTasksNotHalfTheWork()
    {
        // Five equal long tasks and a short one: the worker count alone says 2x is possible, the schedule says 1.73x.
        var result = new RuntimeResult(
            [
                new BenchRow(Runtimes.CPython, BenchMode.Sequential, 1, Starts.None, [5.2]),
                new BenchRow(Runtimes.CPython, "processes", 2, Starts.Cold, [3.25]),
            ],
            [1.0, 1.0, 1.0, 1.0, 1.0, 0.2]);

        var processes = PrimesAnalysis.Figures(result, processors: 2)[1];

        Assert.Equal(5.2 / 3.25 / 2, processes.Efficiency, 12);
        Assert.Equal(3.0, processes.BestSeconds, 12);
        Assert.Equal(3.0 / 3.25, processes.VsBest, 12);
    }

    [Fact]
    public void Figures_WithoutSequentialRow_Throws()
    {
        var result = new RuntimeResult([new BenchRow(Runtimes.Concur, "threads", 2, Starts.Warm, [1.0])], [1.0]);
        Assert.Throws<ArgumentException>(() => PrimesAnalysis.Figures(result, 2));
    }

    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 3.0, 1.0 }, 2.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    public void Median_OddAndEvenCounts(double[] values, double expected) => Assert.Equal(expected, Samples.Median(values), 12);
}
