using Concur;

namespace Concur.Tests.Futures;

// The snippet's first line, `using Concur;`, is a directive, so it sits at the top of this file.

/// <summary>The README's snippet, verbatim: it must compile and run as written.</summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task Snippet_RunsAsWritten()
    {
        static int Square(int x) => x * x;
        await using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        int nine = await pool.Submit(Square, 3);
        int[] squares = pool.Map(Square, Enumerable.Range(0, 10)).ToArray();

        Assert.Equal(9, nine);
        Assert.Equal([0, 1, 4, 9, 16, 25, 36, 49, 64, 81], squares);
    }
}
