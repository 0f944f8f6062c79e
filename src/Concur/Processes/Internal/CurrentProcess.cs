namespace Concur.Processes.Internal;

/// <summary>What this process knows about itself as part of a Concur process tree.</summary>
internal static class CurrentProcess
{
    /// <summary>Gets or sets this process's name: <c>MainProcess</c>, or the name its parent gave it.</summary>
    public static string Name { get; set; } = "MainProcess";
}
