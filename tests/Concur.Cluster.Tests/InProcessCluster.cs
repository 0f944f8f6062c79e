using Orleans.Configuration;
using Orleans.TestingHost;

namespace Concur.Cluster.Tests;

/// <summary>
/// Orleans' in-process test cluster whose silos are Concur nodes (<see cref="ConcurNodeHosting.UseConcurNode"/>,
/// 2 workers each), and its client. The nodes' worker processes are real processes.
/// </summary>
public sealed class InProcessCluster : IAsyncLifetime
{
    private readonly short _silos;

    public InProcessCluster()
        : this(2)
    {
    }

    internal InProcessCluster(short silos) => _silos = silos;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(_silos);
        builder.ConfigureSilo((options, silo) => silo.UseConcurNode(workers: 2, name: options.SiloName));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromDays(1)));
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>Runs <paramref name="body"/> on a cluster of its own with <paramref name="silos"/> nodes, stopped afterwards whatever happened.</summary>
    public static async Task WithFreshAsync(short silos, Func<InProcessCluster, Task> body)
    {
        var cluster = new InProcessCluster(silos);
        await cluster.InitializeAsync();
        try
        {
            await body(cluster);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Cluster.DisposeAsync();
    }
}

/// <summary>The test classes that share one in-process cluster.</summary>
[CollectionDefinition(Name)]
public sealed class InProcessClusterCollection : ICollectionFixture<InProcessCluster>
{
    public const string Name = "in-process cluster";
}
