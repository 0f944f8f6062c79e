namespace Concur.Lessons;

/// <summary>
/// What the Event lessons use Python's <c>logging</c> for: <c>basicConfig(format='(%(threadName)-10s) %(message)s')</c>
/// and <c>debug(...)</c>.
/// </summary>
internal static class LessonLog
{
    public static void Debug(TextWriter output, string message) =>
        output.WriteLine($"({(Thread.CurrentThread.Name ?? "MainThread"),-10}) {message}");

    /// <summary>Python's <c>time.ctime()</c>: "Tue Nov 24 23:59:01 2026".</summary>
    public static string CTime() =>
        DateTime.Now.ToString("ddd MMM d HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
