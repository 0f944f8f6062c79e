using Concur.Cli.Bench;
using Spectre.Console;

namespace Concur.Tests.Cli;

/// <summary>The table and the lines under it, from a made-up run (no timing involved).</summary>
public sealed class PrimesReportTests
{
    [Fact]
    public void Findings_OneLinePerRuntime_WithTheScheduleBound()
    {
        var lines = PrimesReport.Findings(PrimesRuns.MadeUp(workerCounts: [2, 4])).ToList();

        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Concur on 2 workers:", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("CPython on 2 workers:", lines[1], StringComparison.Ordinal);
        Assert.Contains("GIL", lines[1], StringComparison.Ordinal);
        // Five equal long tasks and a short one: 5.2 units of work, at best 3 on the busier of two workers.
        Assert.All(lines, line => Assert.Contains("allows 1.73x", line, StringComparison.Ordinal));
    }

    [Fact]
    public void Findings_NoWorkerCountUpToTheProcessors_SaysNothing()
    {
        Assert.Empty(PrimesReport.Findings(PrimesRuns.MadeUp(workerCounts: [4])));
    }

    [Fact]
    public void WriteTable_ShowsEveryRowAndThePythonLine()
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 110;

        PrimesReport.WriteTable(console, PrimesRuns.MadeUp(workerCounts: [2]));

        var text = output.ToString();
        foreach (var row in new[] { "Concur sequential", "Concur threads x 2 cold", "Concur processes x 2 warm", "CPython sequential", "CPython threads x 2 warm", "CPython processes x 2 cold" })
        {
            Assert.Contains(row, text, StringComparison.Ordinal);
        }
        Assert.Contains("min-max s", text, StringComparison.Ordinal);
        Assert.Contains("vs best", text, StringComparison.Ordinal);
        Assert.Contains("CPython 3.11.7", text, StringComparison.Ordinal);
    }
}
