using Concur.Tests.Support;

namespace Concur.Tests.Futures;

/// <summary>
/// A cross-process gate: work started with <see cref="ContractWork.Block"/> on <see cref="Directory"/> reports that it
/// started and waits until the test calls <see cref="Release"/>. Built on files so it works across processes.
/// </summary>
public sealed class Gate : IDisposable
{
    internal const string StartedFile = "started";
    internal const string ReleaseFile = "release";

    /// <summary>Creates a gate in a fresh temporary directory.</summary>
    public Gate()
    {
        Directory = Path.Combine(Path.GetTempPath(), "concur-gate-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Gets the gate's directory, the argument for <see cref="ContractWork.Block"/>.</summary>
    public string Directory { get; }

    /// <summary>Gets the argument for <see cref="ContractWork.BlockOrTouch"/> that blocks on this gate.</summary>
    public string BlockArgument => "gate:" + Directory;

    /// <summary>Gets a value indicating whether blocked work has started.</summary>
    public bool HasStarted => File.Exists(System.IO.Path.Combine(Directory, StartedFile));

    /// <summary>Waits (bounded) until the blocked work has started.</summary>
    public void WaitStarted() => Bounded.Until(() => HasStarted, $"work blocked on gate {Directory} started");

    /// <summary>Lets the blocked work finish.</summary>
    public void Release() => File.WriteAllText(System.IO.Path.Combine(Directory, ReleaseFile), "go");

    /// <summary>Gets a fresh file path inside the gate's directory, for work that touches files.</summary>
    public string NewFilePath(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>
    /// Releases the gate, so no work stays blocked, and deletes its directory: work still polling it (in this or
    /// another process) takes a missing directory as released, and a later write there fails in the work, so nothing
    /// is left in the temp folder.
    /// </summary>
    public void Dispose()
    {
        try
        {
            Release();
        }
        catch (DirectoryNotFoundException)
        {
        }
        // Work finishing at this moment may add a file while the folder is deleted ("directory not empty"): retry.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
            }
        }
    }
}
