namespace Concur.Tests.Processes;

public sealed class SnippetTests
{
    [Fact]
    public async Task IssueSnippet_CompilesAndRunsAsWritten()
    {
        // Verbatim from the issue (inside a method instead of top-level statements).
        static int Square(int x) => x * x;
        await using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        int nine = await pool.Submit(Square, 3);
        int[] squares = pool.Map(Square, Enumerable.Range(0, 10)).ToArray();
        int offset = 10;
        int fifteen = await pool.Submit(x => x + offset, 5);   // the captured int travels by value

        Assert.Equal(9, nine);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), squares);
        Assert.Equal(15, fifteen);
    }
}
