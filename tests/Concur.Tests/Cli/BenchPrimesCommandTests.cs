using System.Text.Json;
using Concur.Cli;
using Concur.Cli.Bench;
using Concur.Lessons;

namespace Concur.Tests.Cli;

/// <summary><c>concur bench primes</c>, run in-process through the CLI's entry point.</summary>
public sealed class BenchPrimesCommandTests
{
    [Fact]
    public void IsPrime_LessonNumbers_MatchLesson()
    {
        Assert.Equal(Primes.Expected, Primes.Numbers.Select(LessonPrimes.IsPrime));
    }

    [Theory]
    [InlineData(-7, false)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(9, false)]
    [InlineData(97, true)]
    [InlineData(1_000_000_007, true)]
    [InlineData(1_000_000_007L * 3, false)]
    public void IsPrime_SmallNumbers_Correct(long n, bool expected) => Assert.Equal(expected, LessonPrimes.IsPrime(n));

    [Fact]
    public void Verify_WrongAnswers_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Primes.Verify([true, true, true, true, true, true], "threads x 2"));
        Assert.Contains("threads x 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_Json_PrintsOnlyAJsonArrayOfEveryConfiguration()
    {
        var (exit, output, error) = Run("bench", "primes", "--json", "--workers", "1,2", "--repeat", "1");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(5, rows.Count);
        Assert.Equal(
            [("sequential", 1), ("threads", 1), ("threads", 2), ("processes", 1), ("processes", 2)],
            rows.Select(r => (r.GetProperty("mode").GetString(), r.GetProperty("workers").GetInt32())));
        Assert.All(rows, r =>
        {
            Assert.True(r.GetProperty("seconds").GetDouble() > 0);
            Assert.True(r.GetProperty("speedup").GetDouble() > 0);
            Assert.True(r.GetProperty("efficiency").GetDouble() > 0);
        });
        Assert.Equal(1.0, rows[0].GetProperty("speedup").GetDouble());
    }

    [Fact]
    public void BenchPrimes_Table_PrintsEveryMode()
    {
        var (exit, output, error) = Run("bench", "primes", "--workers", "2", "--repeat", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("sequential", output, StringComparison.Ordinal);
        Assert.Contains("threads", output, StringComparison.Ordinal);
        Assert.Contains("processes", output, StringComparison.Ordinal);
        Assert.Contains("speedup", output, StringComparison.Ordinal);
        Assert.Contains("efficiency", output, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_Chart_WritesPng()
    {
        var path = Path.Combine(Path.GetTempPath(), $"concur-primes-{Guid.NewGuid():N}.png");
        try
        {
            var (exit, _, error) = Run("bench", "primes", "--json", "--workers", "1", "--repeat", "1", "--chart", path);
            Assert.True(exit == 0, error);
            var header = File.ReadAllBytes(path).Take(4).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, header);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1,x")]
    [InlineData(",")]
    public void BenchPrimes_InvalidWorkers_FailsWithMessage(string workers)
    {
        var (exit, _, error) = Run("bench", "primes", "--workers", workers, "--repeat", "1");
        Assert.NotEqual(0, exit);
        Assert.Contains("--workers", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchPrimes_RepeatZero_Fails()
    {
        var (exit, _, error) = Run("bench", "primes", "--repeat", "0");
        Assert.NotEqual(0, exit);
        Assert.Contains("--repeat", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_NamesTheToolConcur()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("concur [command]", output, StringComparison.Ordinal);
        Assert.Contains("bench", output, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = ConcurApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
