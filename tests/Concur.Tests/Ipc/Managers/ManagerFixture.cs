namespace Concur.Tests.Ipc.Managers;

/// <summary>One manager for a test class (starting a process per test would only make the suite slower).</summary>
public sealed class ManagerFixture : IDisposable
{
    /// <summary>Starts the manager, with the test types registered.</summary>
    public ManagerFixture() => Manager = ProcessManager.Start(new ProcessManagerOptions().Register<Tally>());

    /// <summary>Gets the manager.</summary>
    public ProcessManager Manager { get; }

    /// <inheritdoc/>
    public void Dispose() => Manager.Dispose();
}
