using System.Diagnostics;
using System.Globalization;
using Concur.Ipc.Internal;
using Concur.Threading.Internal;

namespace Concur.Benchmarks.Ipc;

/// <summary>
/// Where the time of one small item through a process queue goes, on one thread of one process (no other process, no
/// waiting): each part of a put and a get timed alone in a loop, in nanoseconds per operation, median of 5 loops.
/// Run: <c>dotnet benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll queues-profile [count]</c>.
/// </summary>
public static class QueueProfile
{
    public static void Run(string[] args)
    {
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        using var queue = new ProcessQueue<int>();
        QueueRing ring = queue.Ring;
        var gate = new SemaphoreSlim(1, 1);
        ReadOnlyMemory<byte> body = new byte[] { 7 };
        using var encoded = new MessageBuffer();
        ReadOnlyMemory<byte> frame = MessageCodec.Encode(encoded, 7, int.MaxValue, MessageCodec.ThroughQueue)[MessageFraming.ShortHeader..];

        Report("put + get, public (ProcessQueue<int>.Put, Get)", count, i =>
        {
            queue.Put(i);
            queue.Get();
        });
        Report("put + get, engine only (QueueRing.PutAsync, GetAsync of 1 byte, sync)", count, _ =>
        {
            SyncOrAsync.RunSync(ring.PutAsync(true, body, Timeout.InfiniteTimeSpan, CancellationToken.None));
            SyncOrAsync.RunSync(ring.GetAsync(true, Timeout.InfiniteTimeSpan, CancellationToken.None))!.Return();
        });
        Report("encode an int (new MessageBuffer, MessageCodec.Encode, Dispose)", count, i =>
        {
            using var buffer = new MessageBuffer();
            MessageCodec.Encode(buffer, i, int.MaxValue, MessageCodec.ThroughQueue);
        });
        Report("new MessageBuffer + Dispose (a pooled 256-byte array rented and returned)", count, _ =>
        {
            using var buffer = new MessageBuffer();
        });
        Report("decode an int (MessageCodec.Decode)", count, _ => MessageCodec.Decode<int>(frame, "p", MessageCodec.ThroughQueue));
        Report("SemaphoreSlim gate, Wait(ms, token) + Release", count, _ =>
        {
            gate.Wait(-1, CancellationToken.None);
            gate.Release();
        });
    }

    private static void Report(string what, int count, Action<int> once)
    {
        for (int i = 0; i < count / 10; i++)
        {
            once(i); // warm up
        }
        var values = new List<double>();
        for (int run = 0; run < 5; run++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                once(i);
            }
            values.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / count);
        }
        values.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{values[2],8:F0} ns ({values[0]:F0}-{values[4]:F0})  {what}"));
    }
}
