using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace Concur.Benchmarks.Ipc;

/// <summary>
/// Measures connections exactly as benchmarks/python/connection.py measures CPython's multiprocessing.Pipe, and
/// prints one JSON object per figure (median, minimum and maximum of several runs), so
/// benchmarks/compare-connections.sh can put both side by side.
/// Run: <c>dotnet run -c Release --project benchmarks/Concur.Benchmarks -- connections [repeats]</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>64 MiB, one-way pipe, two threads of one process: <c>CreatePipe(duplex: false)</c>, one <c>SendBytes</c> of
/// 64 MiB on a thread, <c>ReceiveBytes()</c> (a new array, as Python's <c>recv_bytes</c>) or <c>ReceiveBytes(buffer)</c>
/// (a reused one, as <c>recv_bytes_into</c>) on the other.</item>
/// <item>64 MiB, parent to child process: a connection to a child (a <see cref="ChildProcess"/> that connects to a
/// <see cref="ConnectionListener"/>; a pipe end cannot be passed to a child yet), which answers each message with one
/// byte. CPython: <c>Pipe(False)</c> to a forked child, and another back.</item>
/// <item>Round trip, parent and child process: 64 bytes with <c>SendBytes</c>/<c>ReceiveBytes</c>, and an
/// <c>int</c> with <c>Send</c>/<c>Receive</c> (CPython: <c>send</c>/<c>recv</c>, which pickle); median and p99 of
/// 20,000.</item>
/// <item>The raw limit beside it: 64 bytes ping-ponged over two anonymous pipes between this process and a
/// <see cref="ChildProcess"/> (plain <c>read</c>/<c>write</c>, no framing), median and p99 of 20,000. The child opens
/// the parent's pipe ends through <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c>.</item>
/// </list>
/// With a third argument <c>round-trips-pinned</c> only the round trips are measured, and their names end in
/// <c>_pinned</c>: benchmarks/compare-queues.sh runs that pass under <c>taskset -c 0</c>, so that every process of the
/// run shares one CPU (BASELINES.md: unpinned, a round trip that must wake an idle vCPU pays tens of microseconds).
/// </remarks>
public static class ConnectionComparison
{
    private const int Size = 64 * 1024 * 1024;
    private const int RoundTrips = 20_000;

    public static void Run(string[] args)
    {
        int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        bool roundTripsOnly = args.Length > 2 && args[2] == "round-trips-pinned";
        s_suffix = roundTripsOnly ? "_pinned" : "";
        byte[] data = roundTripsOnly ? [] : RandomNumberGenerator.GetBytes(Size);
        byte[] into = roundTripsOnly ? [] : GC.AllocateUninitializedArray<byte>(Size);

        if (!roundTripsOnly)
        {
            Emit("pipe_64mib_threads_recv_bytes", Runs(repeats, () => ThreadsOnce(data, null)), "MiB/s");
            Emit("pipe_64mib_threads_recv_into", Runs(repeats, () => ThreadsOnce(data, into)), "MiB/s");
        }

        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(key);
        var child = ChildProcess.Create(Child, new[] { listener.Address.ToString()!, Convert.ToHexString(key) });
        child.Start();
        try
        {
            using Connection connection = listener.Accept();
            if (!roundTripsOnly)
            {
                Emit("process_64mib_parent_to_child", Runs(repeats, () => ToChildOnce(connection, data)), "MiB/s");
            }
            var small = new byte[64];
            Emit("process_round_trip_64_bytes", RoundTrip(() =>
            {
                connection.SendBytes(small);
                connection.ReceiveBytes(small);
            }), "us");
            Emit("process_round_trip_typed_int", RoundTrip(() =>
            {
                connection.Send(1);
                connection.Receive<int>();
            }), "us");
        }
        finally
        {
            child.Join(TimeSpan.FromSeconds(30));
            if (child.IsAlive)
            {
                child.Kill();
            }
        }
        RawPipeRoundTrip();
    }

    /// <summary>The raw limit: 64 bytes back and forth over two anonymous pipes with a child process.</summary>
    private static void RawPipeRoundTrip()
    {
        var toChild = new AnonymousPipeServerStream(PipeDirection.Out);
        var fromChild = new AnonymousPipeServerStream(PipeDirection.In);
        string[] names = [Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            toChild.ClientSafePipeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture), fromChild.ClientSafePipeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture)];
        var child = ChildProcess.Create(RawEcho, names);
        child.Start();
        try
        {
            var small = new byte[64];
            using (toChild)
            {
                Emit("process_round_trip_raw_pipe_64_bytes", RoundTrip(() =>
                {
                    toChild.Write(small);
                    fromChild.ReadExactly(small);
                }), "us");
            } // end of file for the child
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

    /// <summary>The raw pipe's child: reads 64 bytes and writes them back, until end of file.</summary>
    private static void RawEcho(string[] args)
    {
        using var input = new FileStream(File.OpenHandle($"/proc/{args[0]}/fd/{args[1]}", FileMode.Open, FileAccess.Read), FileAccess.Read, 0);
        using var output = new FileStream(File.OpenHandle($"/proc/{args[0]}/fd/{args[2]}", FileMode.Open, FileAccess.Write), FileAccess.Write, 0);
        var buffer = new byte[64];
        while (input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length)
        {
            output.Write(buffer);
        }
    }

    private static double ThreadsOnce(byte[] data, byte[]? into)
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        using (writer)
        {
            var sender = new Thread(() => writer.SendBytes(data));
            long start = Stopwatch.GetTimestamp();
            sender.Start();
            int length = into is null ? reader.ReceiveBytes().Length : reader.ReceiveBytes(into);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            sender.Join();
            Check(length == Size);
            return Size / seconds / (1 << 20);
        }
    }

    private static double ToChildOnce(Connection connection, byte[] data)
    {
        long start = Stopwatch.GetTimestamp();
        connection.SendBytes(data);
        byte[] ack = connection.ReceiveBytes();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Check(ack.Length == 1);
        return Size / seconds / (1 << 20);
    }

    private static List<double> RoundTrip(Action once)
    {
        for (int i = 0; i < 2000; i++)
        {
            once(); // warm up
        }
        var samples = new double[RoundTrips];
        for (int i = 0; i < RoundTrips; i++)
        {
            long start = Stopwatch.GetTimestamp();
            once();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        return [samples[RoundTrips / 2], samples[(int)(RoundTrips * 0.99)]];
    }

    /// <summary>The child: answers a message of 64 MiB with one byte, anything else with itself, until end of file.</summary>
    private static void Child(string[] args)
    {
        // The parent's default listener is at an abstract name, which .NET prints with '@' for its leading NUL.
        string address = args[0].StartsWith('@') ? "\0" + args[0][1..] : args[0];
        using Connection connection = Connection.Connect(new UnixDomainSocketEndPoint(address), Convert.FromHexString(args[1]));
        byte[] buffer = GC.AllocateUninitializedArray<byte>(Size);
        while (true)
        {
            int length;
            try
            {
                length = connection.ReceiveBytes(buffer);
            }
            catch (EndOfStreamException)
            {
                return;
            }
            if (length == Size)
            {
                connection.SendBytes([1]);
            }
            else
            {
                connection.SendBytes(buffer.AsSpan(0, length));
            }
        }
    }

    private static string s_suffix = "";

    private static List<double> Runs(int repeats, Func<double> once)
    {
        once(); // warm up
        var values = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            values.Add(once());
        }
        return values;
    }

    /// <summary>Prints the median, minimum and maximum of <paramref name="values"/> (for a round trip: the median and p99).</summary>
    private static void Emit(string name, List<double> values, string unit)
    {
        if (unit == "us")
        {
            Console.WriteLine(JsonSerializer.Serialize(new { impl = "concur", name = name + s_suffix + "_median", value = Math.Round(values[0], 1), unit }));
            Console.WriteLine(JsonSerializer.Serialize(new { impl = "concur", name = name + s_suffix + "_p99", value = Math.Round(values[1], 1), unit }));
            return;
        }
        values.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "concur",
            name,
            value = Math.Round(values[values.Count / 2], 1),
            min = Math.Round(values[0], 1),
            max = Math.Round(values[^1], 1),
            unit,
        }));
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("A message arrived with the wrong length.");
        }
    }
}
