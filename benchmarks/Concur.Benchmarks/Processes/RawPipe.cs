using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// The transport's limit for the pool's round trip: 64 bytes ping-ponged over two anonymous pipes between this
/// process and a child .NET process (plain <c>read</c>/<c>write</c>, no framing, no serializer). The child opens the
/// parent's pipe ends through <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c>. Run under <c>taskset -c 0</c>, parent and child share
/// one CPU (the steady limit on this virtual machine); unpinned, a round trip that wakes an idle vCPU pays for it.
/// </summary>
public static class RawPipe
{
    /// <summary>Sorted round-trip samples in microseconds: <paramref name="count"/> after 2,000 to warm up.</summary>
    public static double[] RoundTrips(int count)
    {
        var toChild = new AnonymousPipeServerStream(PipeDirection.Out);
        var fromChild = new AnonymousPipeServerStream(PipeDirection.In);
        string[] names = [Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            toChild.ClientSafePipeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture),
            fromChild.ClientSafePipeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture)];
        var child = ChildProcess.Create(Echo, names);
        child.Start();
        try
        {
            var small = new byte[64];
            var samples = new double[count];
            using (toChild)
            {
                for (int i = -2000; i < count; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    toChild.Write(small);
                    fromChild.ReadExactly(small);
                    if (i >= 0)
                    {
                        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    }
                }
            } // end of file for the child
            Array.Sort(samples);
            return samples;
        }
        finally
        {
            child.Join(TimeSpan.FromSeconds(30));
            if (child.IsAlive)
            {
                child.Kill();
            }
            fromChild.Dispose();
        }
    }

    /// <summary>The child: reads 64 bytes and writes them back, until end of file.</summary>
    private static void Echo(string[] args)
    {
        using var input = new FileStream(File.OpenHandle($"/proc/{args[0]}/fd/{args[1]}", FileMode.Open, FileAccess.Read), FileAccess.Read, 0);
        using var output = new FileStream(File.OpenHandle($"/proc/{args[0]}/fd/{args[2]}", FileMode.Open, FileAccess.Write), FileAccess.Write, 0);
        var buffer = new byte[64];
        while (input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length)
        {
            output.Write(buffer);
        }
    }
}
