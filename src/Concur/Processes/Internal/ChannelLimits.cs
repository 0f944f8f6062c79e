namespace Concur.Processes.Internal;

/// <summary>
/// What the parent accepts from a worker before it calls the worker corrupt: the largest frame, and how long a frame
/// that has begun may stall before it counts as cut off.
/// </summary>
/// <param name="MaxFrameBytes">The largest frame accepted from a worker, header included.</param>
/// <param name="StallTimeout">How long a started frame may go without a byte arriving.</param>
internal sealed record ChannelLimits(long MaxFrameBytes, TimeSpan StallTimeout)
{
    /// <summary>The <see cref="AppContext"/> setting (runtimeconfig.json, or an MSBuild <c>RuntimeHostConfigurationOption</c>) that sets <see cref="MaxFrameBytes"/>.</summary>
    public const string MaxFrameBytesSetting = "Concur.Processes.MaxFrameBytes";

    /// <summary>Gets the limits in force: the defaults (1 GiB, 30 s), or <see cref="MaxFrameBytesSetting"/> if set.</summary>
    public static ChannelLimits Default { get; } = new(ReadSetting(), TimeSpan.FromSeconds(30));

    private static long ReadSetting()
    {
        object? value = AppContext.GetData(MaxFrameBytesSetting);
        return value switch
        {
            null => Frame.DefaultMaxLength,
            long l when l > Frame.HeaderSize => Math.Min(l, (long)int.MaxValue + 4),
            int i when i > Frame.HeaderSize => i,
            string s when long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long l) && l > Frame.HeaderSize =>
                Math.Min(l, (long)int.MaxValue + 4),
            _ => throw new InvalidOperationException(
                $"The setting {MaxFrameBytesSetting} is '{value}'; it must be a whole number of bytes above {Frame.HeaderSize} (for example 2147483647)."),
        };
    }
}
