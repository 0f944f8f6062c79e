namespace Concur.Cli.Bench;

/// <summary>Order statistics of a set of timings.</summary>
internal static class Samples
{
    /// <summary>The median: the middle value, or the mean of the two middle values of an even count.</summary>
    /// <param name="values">At least one value.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("A median needs at least one value.", nameof(values));
        }
        var sorted = values.Order().ToArray();
        var k = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[k] : (sorted[k - 1] + sorted[k]) / 2;
    }
}
