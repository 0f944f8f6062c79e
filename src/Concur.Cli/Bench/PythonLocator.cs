namespace Concur.Cli.Bench;

/// <summary>Finds <c>python3</c> on a search path, as a shell would.</summary>
internal static class PythonLocator
{
    /// <summary>The executable the CPython rows run.</summary>
    public const string Executable = "python3";

    /// <summary>Finds <see cref="Executable"/> on the process's <c>PATH</c>.</summary>
    /// <returns>Its full path, or <see langword="null"/> if no directory on <c>PATH</c> has it.</returns>
    public static string? FindOnPath() => Find(Environment.GetEnvironmentVariable("PATH"));

    /// <summary>Finds <see cref="Executable"/> in the directories of <paramref name="searchPath"/>.</summary>
    /// <param name="searchPath">A <c>PATH</c> value: directories separated by <see cref="Path.PathSeparator"/>; may be null or empty.</param>
    /// <returns>The full path of the first match, or <see langword="null"/>.</returns>
    public static string? Find(string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }
        string[] names = OperatingSystem.IsWindows() ? [Executable + ".exe", "python.exe"] : [Executable];
        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory.Trim('"'), name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
