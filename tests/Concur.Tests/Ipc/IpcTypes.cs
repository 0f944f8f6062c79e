namespace Concur.Tests.Ipc;

/// <summary>A user class with fields of several kinds, sent typed through connections.</summary>
public sealed class Order
{
    public string Customer { get; set; } = "";

    public int Quantity { get; set; }

    public double[] Prices { get; set; } = [];

    public List<string> Notes { get; set; } = [];

    public Point? Where { get; set; }
}

/// <summary>A user record.</summary>
public sealed record Point(int X, int Y);
