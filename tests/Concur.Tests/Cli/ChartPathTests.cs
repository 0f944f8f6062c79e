using Concur.Cli.Bench;

namespace Concur.Tests.Cli;

/// <summary>The <c>--chart</c> path check that runs before the benchmark, and the chart itself from a made-up run.</summary>
public sealed class ChartPathTests
{
    [Fact]
    public void Check_WritableFolder_AcceptsAndLeavesNothingBehind()
    {
        var folder = Directory.CreateTempSubdirectory("concur-chart-test-");
        try
        {
            Assert.Null(ChartPath.Check(Path.Combine(folder.FullName, "primes.png")));
            Assert.Empty(folder.EnumerateFileSystemInfos());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Check_MissingFolder_SaysWhichFolder()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"concur-missing-{Guid.NewGuid():N}");
        var error = ChartPath.Check(Path.Combine(missing, "primes.png"));
        Assert.NotNull(error);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Folder_AsksForAFileName()
    {
        var error = ChartPath.Check(Path.GetTempPath());
        Assert.NotNull(error);
        Assert.Contains("is a folder", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("primes.txt")]
    [InlineData("primes")]
    public void Check_NotPng_AsksForPng(string name)
    {
        var error = ChartPath.Check(Path.Combine(Path.GetTempPath(), name));
        Assert.NotNull(error);
        Assert.Contains(".png", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SavePng_MadeUpRunWithBothRuntimes_WritesAPng()
    {
        var path = Path.Combine(Path.GetTempPath(), $"concur-primes-{Guid.NewGuid():N}.png");
        try
        {
            PrimesChart.SavePng(path, PrimesRuns.MadeUp(workerCounts: [2, 4]));
            var header = File.ReadAllBytes(path).Take(4).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, header);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Build_Whiskers_ReachFromTheSlowestToTheFastestRun()
    {
        var run = PrimesRuns.MadeUp(workerCounts: [2]);
        var plot = PrimesChart.Build(run, out _);

        var whiskers = plot.GetPlottables().OfType<ScottPlot.Plottables.ErrorBar>().Single();
        var first = run.Rows.First(r => r.Mode != BenchMode.Sequential); // Concur threads x 2 cold
        Assert.Equal(first.Speedup, whiskers.Ys[0], 12);
        Assert.Equal((first.Speedup * first.Median / first.Min) - first.Speedup, whiskers.YErrorPositive![0], 12);
        Assert.Equal(first.Speedup - (first.Speedup * first.Median / first.Max), whiskers.YErrorNegative![0], 12);
    }

    [Fact]
    public void Build_MoreWorkerCounts_WidensTheImage()
    {
        PrimesChart.Build(PrimesRuns.MadeUp(workerCounts: [2]), out var narrow);
        PrimesChart.Build(PrimesRuns.MadeUp(workerCounts: [2, 4, 8, 16]), out var wide);
        Assert.True(wide > narrow, $"{wide} <= {narrow}");
    }
}
