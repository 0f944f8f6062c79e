namespace Concur.Tests.Processes;

/// <summary>One two-worker pool shared by the tests of a class (starting workers costs tens of milliseconds each).</summary>
public sealed class PoolFixture : IAsyncLifetime
{
    public ProcessPoolExecutor Pool { get; } = new(maxWorkers: 2);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Pool.DisposeAsync();
}
