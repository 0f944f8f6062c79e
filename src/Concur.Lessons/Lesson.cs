namespace Concur.Lessons;

/// <summary>
/// One program of the lesson: its name on the command line, the Python file it ports, a one-line summary and the
/// C# program itself.
/// </summary>
public sealed class Lesson
{
    private readonly Action<TextWriter, CancellationToken> _run;

    /// <summary>Describes a lesson program.</summary>
    /// <param name="name">The name used by <c>concur lesson run &lt;name&gt;</c>: lower case, words joined by '-'.</param>
    /// <param name="pythonFile">The Python file name the lesson gives the program, or a short description of an unnamed cell.</param>
    /// <param name="summary">One English sentence: what the program teaches.</param>
    /// <param name="run">The program; it writes what the Python program prints to its <see cref="TextWriter"/>.</param>
    /// <param name="usesChildProcesses">
    /// <see langword="true"/> when the program starts child processes, whose own prints go to the process's standard
    /// output (inherited, as in Python) rather than to the writer passed to <see cref="Run"/>. The default is
    /// <see langword="false"/>.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="name"/>, <paramref name="pythonFile"/> or <paramref name="summary"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> is <see langword="null"/>.</exception>
    public Lesson(string name, string pythonFile, string summary, Action<TextWriter, CancellationToken> run, bool usesChildProcesses = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(pythonFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        ArgumentNullException.ThrowIfNull(run);
        Name = name;
        PythonFile = pythonFile;
        Summary = summary;
        UsesChildProcesses = usesChildProcesses;
        _run = run;
    }

    /// <summary>Gets the name used on the command line (<c>concur lesson run &lt;name&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the Python file name in the lesson (or a short description of an unnamed cell).</summary>
    public string PythonFile { get; }

    /// <summary>Gets a one-line English summary of what the program teaches.</summary>
    public string Summary { get; }

    /// <summary>
    /// Gets a value indicating whether the program starts child processes, whose prints go to the process's standard
    /// output instead of the writer given to <see cref="Run"/>.
    /// </summary>
    public bool UsesChildProcesses { get; }

    /// <summary>
    /// Runs the program to completion. Every lesson ends by itself, in well under two seconds on an idle machine.
    /// </summary>
    /// <param name="output">Where the program prints. Threads print concurrently; the writer is synchronized here.</param>
    /// <param name="cancellationToken">Stops the program early where it waits (lessons that loop forever in Python stop on it, or after a short time).</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    public void Run(TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var synchronized = TextWriter.Synchronized(output);
        _run(synchronized, cancellationToken);
        synchronized.Flush();
    }

    /// <summary>Runs the program and returns everything it printed to its writer.</summary>
    /// <param name="cancellationToken">Stops the program early; see <see cref="Run"/>.</param>
    /// <returns>The text the program printed (not including what child processes printed).</returns>
    public string RunToString(CancellationToken cancellationToken = default)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Run(writer, cancellationToken);
        return writer.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({PythonFile})";
}
