namespace Concur.Tests.Futures;

/// <summary>The executor contract, run against <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolExecutorContractTests : ExecutorContractTests
{
    protected override IExecutor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers);

    protected override IExecutor CreateExecutor(int maxWorkers, Action initializer) => new ThreadPoolExecutor(maxWorkers, initializer: initializer);
}
