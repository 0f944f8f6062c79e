namespace Concur.Platform;

/// <summary>Picks the <see cref="IProcessPlatform"/> for the operating system Concur runs on.</summary>
internal static class ProcessPlatform
{
    /// <summary>Gets the platform implementation for this operating system.</summary>
    public static IProcessPlatform Current { get; } = Create();

    private static IProcessPlatform Create()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxProcessPlatform();
        }
        return OperatingSystem.IsWindows()
            ? UnsupportedProcessPlatform.ForWindows
            : UnsupportedProcessPlatform.ForOtherSystems;
    }
}
