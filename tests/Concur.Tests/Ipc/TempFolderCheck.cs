using System.Globalization;

namespace Concur.Tests.Ipc;

/// <summary>
/// Fails the run (as a collection cleanup failure) if a Unix socket file made by this process is still in the
/// temporary folder after the IPC tests: every listener, Concur's or a Python one the tests started, must remove its
/// own. Files are recognised by the name Concur gives them, <c>concur-&lt;pid&gt;-*</c>.
/// </summary>
public sealed class TempFolderCheck : IDisposable
{
    /// <summary>The name prefix of every socket file this test process makes.</summary>
    public static readonly string Prefix = "concur-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-";

    /// <summary>Lists the socket files of this process now in the temporary folder.</summary>
    public static string[] Leftovers() => Directory.GetFiles(Path.GetTempPath(), Prefix + "*");

    /// <summary>Gets a new path for a socket file in the temporary folder, with the checked prefix.</summary>
    public static string NewSocketPath(string tag) =>
        Path.Combine(Path.GetTempPath(), $"{Prefix}{tag}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6)}.sock");

    /// <inheritdoc/>
    public void Dispose()
    {
        string[] left = Leftovers();
        if (left.Length > 0)
        {
            foreach (string file in left)
            {
                File.Delete(file);
            }
            throw new InvalidOperationException("The IPC tests left socket files in the temporary folder: " + string.Join(", ", left));
        }
    }
}
