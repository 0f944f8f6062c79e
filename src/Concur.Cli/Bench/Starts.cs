namespace Concur.Cli.Bench;

/// <summary>Whether a row's timing includes starting the pool: the JSON <c>start</c> field.</summary>
internal static class Starts
{
    /// <summary>The pool is created and shut down inside each timed run, as in the lesson's <c>with ... as pool:</c>.</summary>
    public const string Cold = "cold";

    /// <summary>The pool was running, and every worker had run a task, before the timed runs.</summary>
    public const string Warm = "warm";

    /// <summary>No pool: the sequential rows.</summary>
    public const string None = "none";
}
