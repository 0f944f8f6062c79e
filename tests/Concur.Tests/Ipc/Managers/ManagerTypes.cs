namespace Concur.Tests.Ipc.Managers;

/// <summary>A registered type: its methods run in the manager.</summary>
public sealed class Tally
{
    private readonly List<string> _names = [];
    private long _total;

    /// <summary>Initializes a tally that starts at <paramref name="start"/>.</summary>
    public Tally(long start) => _total = start;

    /// <summary>Gets the total.</summary>
    public long Total => _total;

    /// <summary>Adds to the total and returns it.</summary>
    public long Add(long amount) => _total += amount;

    /// <summary>Adds a name.</summary>
    public void Note(string name) => _names.Add(name);

    /// <summary>Overload chosen by parameter type.</summary>
    public string Describe(int value) => $"int {value}";

    /// <summary>Overload chosen by parameter type.</summary>
    public string Describe(string value) => $"string {value}";

    /// <summary>Gets the names noted, a copy.</summary>
    public string[] Names() => [.. _names];

    /// <summary>Throws, to check that the exception comes back.</summary>
    public int Fail(string why) => throw new InvalidOperationException($"refused: {why}");
}

/// <summary>A value with a nested list, to show that gets return copies.</summary>
public sealed record Basket(string Owner, List<int> Items);

/// <summary>A type that is not registered with any manager.</summary>
public sealed class Unregistered
{
    /// <summary>Gets or sets a value, so it has state.</summary>
    public int Value { get; set; }
}

/// <summary>A value that cannot travel: it holds a delegate.</summary>
public sealed class HoldsDelegate
{
    /// <summary>Gets or sets the delegate.</summary>
    public Func<int>? Make { get; set; }
}
