namespace Concur.Tests.Futures;

/// <summary>The Map semantics, run against <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolExecutorMapSemanticsTests : MapSemanticsTests
{
    protected override IExecutor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers);

    protected override void AssertUserException(Exception thrown, string expectedMessage)
    {
        Assert.IsType<InvalidOperationException>(thrown);
        Assert.Equal(expectedMessage, thrown.Message);
        // Rethrown with the stack of the throw in the function, not only of the enumeration.
        Assert.Matches(@"(ContractWork|MapWork)\.", thrown.StackTrace ?? string.Empty);
    }
}
