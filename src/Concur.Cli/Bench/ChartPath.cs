namespace Concur.Cli.Bench;

/// <summary>Checks the <c>--chart</c> path before anything runs, so a bad path fails at once, not after the run.</summary>
internal static class ChartPath
{
    /// <summary>Checks that a PNG can be written at <paramref name="path"/>.</summary>
    /// <param name="path">The path given to <c>--chart</c>.</param>
    /// <returns>A message saying what is wrong and what to do, or <see langword="null"/> if the path is usable.</returns>
    /// <remarks>Writability is probed by creating and deleting a temporary file in the folder; the chart file itself is not touched.</remarks>
    public static string? Check(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "--chart needs a file name, e.g. --chart primes.png.";
        }
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"--chart: '{path}' is not a usable path ({e.Message}).";
        }
        if (Directory.Exists(full))
        {
            return $"--chart: {full} is a folder; give a file name in it, e.g. {Path.Combine(full, "primes.png")}.";
        }
        if (!string.Equals(Path.GetExtension(full), ".png", StringComparison.OrdinalIgnoreCase))
        {
            return $"--chart: the chart is a PNG image; give a file name ending in .png (not {full}).";
        }
        var folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder))
        {
            return $"--chart: the folder {folder} does not exist; create it first or choose another path.";
        }
        if (File.Exists(full) && File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
        {
            return $"--chart: {full} exists and is read-only.";
        }
        try
        {
            var probe = Path.Combine(folder, $".concur-chart-{Guid.NewGuid():N}.tmp");
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--chart: cannot write in {folder} ({e.Message}).";
        }
        return null;
    }
}
