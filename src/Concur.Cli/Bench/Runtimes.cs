namespace Concur.Cli.Bench;

/// <summary>The names of the runtimes the benchmark compares, as printed and in the JSON <c>runtime</c> field.</summary>
internal static class Runtimes
{
    /// <summary>Concur on .NET, in this process and its worker processes.</summary>
    public const string Concur = "Concur";

    /// <summary>CPython running the lesson's own programs.</summary>
    public const string CPython = "CPython";
}
