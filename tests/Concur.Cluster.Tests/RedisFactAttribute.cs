namespace Concur.Cluster.Tests;

/// <summary>
/// A test that needs a real redis-server, whose address (HOST:PORT) is in <c>CONCUR_TEST_REDIS</c>; <c>.ci/run</c>
/// installs and starts one and sets it. Without the variable the test is skipped with a message saying so, except
/// under CI (<c>CI=true</c>), where it runs and fails: a CI run must never pass without the Redis tests.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public const string Variable = "CONCUR_TEST_REDIS";

    public RedisFactAttribute()
    {
        if (Address is null && !IsCi)
        {
            Skip = $"needs a redis-server: set {Variable}=HOST:PORT (.ci/run starts one and sets it; apt-get install -y redis-server)";
        }
    }

    public static string? Address => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } a ? a : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the address, or fails the test saying why.</summary>
    public static string Require() =>
        Address ?? throw new InvalidOperationException(
            $"{Variable} is not set, and under CI the Redis tests must run: .ci/run installs and starts redis-server and sets {Variable}.");
}
