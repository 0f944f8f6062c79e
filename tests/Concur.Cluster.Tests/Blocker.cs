using Concur.Tests.Support;

namespace Concur.Cluster.Tests;

/// <summary>A directory through which the test starts, watches and releases blocked tasks (<see cref="ClusterWork.StartAndBlock"/>).</summary>
public sealed class Blocker : IDisposable
{
    public Blocker()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"concur-cluster-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public void WaitStarted(int count) =>
        Bounded.Until(() => ClusterWork.Started(Directory) >= count, $"{count} blocked tasks started in {Directory}");

    public bool HasStarted(string name) => File.Exists(Path.Combine(Directory, $"started-{name}"));

    public void Release() => File.WriteAllText(Path.Combine(Directory, "release"), "go");

    public void Dispose()
    {
        Release();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A task may still be writing its marker; the temporary folder is cleaned later.
        }
    }
}
