namespace Concur.Tests.Ipc;

/// <summary>
/// The IPC tests run one class at a time (they start Python processes and move tens of MiB: on two busy cores,
/// running them side by side only makes each slower), and share a fixture that checks, once all of them have run,
/// that they left no socket file in the temporary folder.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IpcCollection : ICollectionFixture<TempFolderCheck>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Ipc";
}
