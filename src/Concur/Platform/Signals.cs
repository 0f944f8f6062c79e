namespace Concur.Platform;

/// <summary>POSIX signal numbers Concur sends or reports (Linux numbering).</summary>
internal static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGABRT = 6;
    public const int SIGKILL = 9;
    public const int SIGSEGV = 11;
    public const int SIGTERM = 15;

    /// <summary>Gets the conventional name of <paramref name="signal"/>.</summary>
    public static string Name(int signal) => signal switch
    {
        SIGHUP => "SIGHUP",
        SIGINT => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        SIGABRT => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        SIGKILL => "SIGKILL",
        SIGSEGV => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        SIGTERM => "SIGTERM",
        _ => $"signal {signal}",
    };
}
