using System.Text.Json.Serialization;

namespace Concur.Cli.Bench;

/// <summary>Whether the CPython rows ran, and with what: the JSON <c>python</c> object and the line under the table.</summary>
/// <param name="Status"><see cref="Ran"/>, <see cref="Absent"/>, <see cref="Skipped"/> or <see cref="Failed"/>.</param>
/// <param name="Executable">The python3 that ran, or null.</param>
/// <param name="Version">Its version (<c>platform.python_version()</c>), or null.</param>
/// <param name="StartMethod">Its multiprocessing start method (fork, spawn, forkserver), or null.</param>
/// <param name="Message">The line printed under the table.</param>
internal sealed record PythonReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("executable")] string? Executable,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("startMethod")] string? StartMethod,
    [property: JsonPropertyName("message")] string Message)
{
    /// <summary>The CPython rows ran.</summary>
    public const string Ran = "ran";

    /// <summary>python3 is not on PATH.</summary>
    public const string Absent = "absent";

    /// <summary><c>--no-python</c> was given.</summary>
    public const string Skipped = "skipped";

    /// <summary>python3 ran but did not deliver every row (an error, a wrong answer, or the time bound).</summary>
    public const string Failed = "failed";

    /// <summary>The report when python3 is not on PATH.</summary>
    public static PythonReport NotFound { get; } = new(
        Absent,
        null,
        null,
        null,
        "CPython rows skipped: python3 is not on PATH. Install Python 3 to see the lesson's own programs beside Concur's, or pass --no-python.");

    /// <summary>The report when <c>--no-python</c> was given.</summary>
    public static PythonReport NotWanted { get; } = new(Skipped, null, null, null, "CPython rows skipped (--no-python).");
}
