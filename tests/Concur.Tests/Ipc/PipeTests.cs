using System.Security.Cryptography;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// <see cref="Connection.CreatePipe"/>: typed and byte messages both ways, one-way ends, polling, the size limit,
/// end of file, and what a receive does with a message that does not fit or is not of the expected type.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class PipeTests
{
    [Fact]
    public void Send_TypedValues_ArriveAsSent()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            var order = new Order { Customer = "Ada", Quantity = 3, Prices = [1.5, 2.5], Notes = ["fragile"], Where = new Point(4, 5) };
            // Sent from other threads: the 800 KB array does not fit in the socket's buffer, so a sender on this
            // thread would wait for a receiver that has not started.
            var sender = Task.Run(() =>
            {
                a.Send(42);
                a.Send(-7L);
                a.Send(3.25);
                a.Send("héllo, 世界");
                a.Send<string?>(null);
                a.Send(new[] { 1, 2, 3 });
                a.Send(Enumerable.Range(0, 100_000).Select(i => i * 0.5).ToArray()); // 800 KB: more than the socket buffer
                a.Send(new[] { "x", null, "z" });
                a.Send(new Dictionary<string, int> { ["one"] = 1, ["two"] = 2 });
            });
            var answer = Task.Run(() => b.Send(order));

            Assert.Equal(42, b.Receive<int>());
            Assert.Equal(-7L, b.Receive<long>());
            Assert.Equal(3.25, b.Receive<double>());
            Assert.Equal("héllo, 世界", b.Receive<string>());
            Assert.Null(b.Receive<string?>());
            Assert.Equal([1, 2, 3], b.Receive<int[]>());
            Assert.Equal(Enumerable.Range(0, 100_000).Select(i => i * 0.5), b.Receive<double[]>());
            Assert.Equal(new[] { "x", null, "z" }, b.Receive<string?[]>().AsEnumerable());
            Assert.Equal(2, b.Receive<Dictionary<string, int>>()["two"]);

            Order back = a.Receive<Order>();
            Bounded.Result(Task.WhenAll(sender, answer).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default));
            Assert.Equal("Ada", back.Customer);
            Assert.Equal(3, back.Quantity);
            Assert.Equal([1.5, 2.5], back.Prices);
            Assert.Equal(["fragile"], back.Notes);
            Assert.Equal(new Point(4, 5), back.Where);
        }
    }

    [Fact]
    public async Task SendAsync_TypedValues_ArriveAsSent()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            await a.SendAsync(new Point(1, 2));
            await a.SendAsync(new List<Point> { new(3, 4) });
            Assert.Equal(new Point(1, 2), await Bounded.Within(b.ReceiveAsync<Point>().AsTask()));
            Assert.Equal(new Point(3, 4), Assert.Single(await Bounded.Within(b.ReceiveAsync<List<Point>>().AsTask())));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData(16 * 1024 * 1024)]
    public void SendBytes_OnOneThread_ReceiveBytesOnAnother_ArriveWhole(int size)
    {
        byte[] data = RandomNumberGenerator.GetBytes(size);
        foreach (bool duplex in new[] { true, false })
        {
            var (reader, writer) = Connection.CreatePipe(duplex);
            using (reader)
            using (writer)
            {
                var sending = new Thread(() =>
                {
                    writer.SendBytes(data);
                    writer.SendBytes(data);
                }) { Name = "sender", IsBackground = true };
                sending.Start();
                Assert.Equal(data, reader.ReceiveBytes());
                byte[] into = new byte[size + 10];
                Assert.Equal(size, reader.ReceiveBytes(into));
                Assert.Equal(data, into.AsSpan(0, size).ToArray());
                Bounded.Join(sending);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData(16 * 1024 * 1024)]
    public async Task SendBytesAsync_ReceiveBytesAsync_ArriveWhole(int size)
    {
        byte[] data = RandomNumberGenerator.GetBytes(size);
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        using (writer)
        {
            Task sending = Task.Run(async () =>
            {
                await writer.SendBytesAsync(data);
                await writer.SendBytesAsync(data);
            });
            Assert.Equal(data, await Bounded.Within(reader.ReceiveBytesAsync().AsTask()));
            byte[] into = new byte[size];
            Assert.Equal(size, await Bounded.Within(reader.ReceiveBytesAsync(into).AsTask()));
            Assert.Equal(data, into);
            await Bounded.Within(sending);
        }
    }

    [Fact]
    public void OneWay_EndsOnlyReceiveOrOnlySend()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        using (writer)
        {
            Assert.True(reader.CanReceive);
            Assert.False(reader.CanSend);
            Assert.False(writer.CanReceive);
            Assert.True(writer.CanSend);
            Assert.Throws<NotSupportedException>(() => reader.Send(1));
            Assert.Throws<NotSupportedException>(() => reader.SendBytes([1]));
            Assert.Throws<NotSupportedException>(() => writer.Receive<int>());
            Assert.Throws<NotSupportedException>(() => writer.Poll());
            var e = Assert.Throws<NotSupportedException>(() => writer.ReceiveBytes());
            Assert.Contains("only sends", e.Message, StringComparison.Ordinal);
            writer.Send(5);
            Assert.Equal(5, reader.Receive<int>());
        }
    }

    [Fact]
    public async Task Poll_WithoutData_IsFalse_WithData_IsTrue_AndConsumesNothing()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            Assert.False(b.Poll());
            Assert.False(b.Poll(TimeSpan.FromMilliseconds(20)));
            Assert.False(await b.PollAsync(TimeSpan.Zero));
            Assert.False(await Bounded.Within(b.PollAsync(TimeSpan.FromMilliseconds(20)).AsTask()));

            Task<bool> waiting = b.PollAsync(Bounded.Limit).AsTask();
            a.Send("x");
            Assert.True(await Bounded.Within(waiting));
            Assert.True(b.Poll());
            Assert.True(b.Poll(Bounded.Limit));
            Assert.Equal("x", b.Receive<string>());
            Assert.False(b.Poll());
        }
    }

    [Fact]
    public void Poll_BlockingWithTimeout_WakesWhenAMessageArrives()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            var sender = new Thread(() => a.Send(1)) { IsBackground = true };
            bool ready = false;
            var poller = new Thread(() => ready = b.Poll(Bounded.Limit)) { IsBackground = true };
            poller.Start();
            sender.Start();
            Bounded.Join(poller);
            Bounded.Join(sender);
            Assert.True(ready);
        }
    }

    [Fact]
    public async Task PollAsync_Cancelled_ThrowsAndConsumesNothing()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            using var cancel = new CancellationTokenSource();
            Task<bool> waiting = b.PollAsync(Timeout.InfiniteTimeSpan, cancel.Token).AsTask();
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(waiting));
            a.Send(9);
            Assert.Equal(9, b.Receive<int>());
        }
    }

    [Fact]
    public async Task ReceiveAsync_CancelledBeforeAMessage_LosesNothing()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            using var cancel = new CancellationTokenSource();
            Task<int> receiving = b.ReceiveAsync<int>(cancel.Token).AsTask();
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded.Within(receiving));
            a.Send(11);
            Assert.Equal(11, await Bounded.Within(b.ReceiveAsync<int>().AsTask()));
        }
    }

    [Fact]
    public void Receive_AfterOtherEndDisposed_ReadsWhatWasSentThenEndOfFile()
    {
        var (a, b) = Connection.CreatePipe();
        using (b)
        {
            a.Send(1);
            a.SendBytes([2]);
            a.Dispose();
            Assert.True(a.IsClosed);
            Assert.True(b.Poll(Bounded.Limit)); // End of file is "something to read".
            Assert.Equal(1, b.Receive<int>());
            Assert.Equal([2], b.ReceiveBytes());
            var e = Assert.Throws<EndOfStreamException>(() => b.Receive<int>());
            Assert.Contains("other end of the pipe closed", e.Message, StringComparison.Ordinal);
            Assert.Throws<EndOfStreamException>(() => b.ReceiveBytes()); // and again, at once
            Assert.Throws<IOException>(() => b.Send(3));
        }
    }

    [Fact]
    public async Task ReceiveAsync_BlockedWhenOtherEndDisposed_EndsWithEndOfFile()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        {
            Task<byte[]> receiving = reader.ReceiveBytesAsync().AsTask();
            writer.Dispose();
            await Assert.ThrowsAsync<EndOfStreamException>(() => Bounded.Within(receiving));
        }
    }

    [Fact]
    public void Receive_BlockedWhenOtherEndDisposed_EndsWithEndOfFile()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        {
            Exception? error = null;
            var receiving = new Thread(() => error = Record.Exception(() => reader.ReceiveBytes())) { IsBackground = true };
            receiving.Start();
            writer.Dispose();
            Bounded.Join(receiving);
            Assert.IsType<EndOfStreamException>(error);
        }
    }

    [Fact]
    public void Send_AfterOtherEndDisposed_ThrowsIOException()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        reader.Dispose();
        using (writer)
        {
            var e = Assert.Throws<IOException>(() => writer.SendBytes(new byte[1024 * 1024]));
            Assert.Contains("closed the connection", e.Message, StringComparison.Ordinal);
            Assert.Throws<IOException>(() => writer.Send(1));
        }
    }

    [Fact]
    public void Dispose_WhileAnotherThreadReceives_EndsItWithObjectDisposed()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            Exception? error = null;
            var receiving = new Thread(() => error = Record.Exception(() => b.Receive<int>())) { Name = "ipc-dispose-rcv", IsBackground = true };
            receiving.Start();
            Bounded.Until(() => BlockedThreads.IsAsleep("ipc-dispose-rcv"), "the receiver blocks in the kernel");
            b.Dispose();
            Bounded.Join(receiving);
            Assert.IsType<ObjectDisposedException>(error);
            Assert.True(b.IsClosed);
            Assert.Throws<ObjectDisposedException>(() => b.Receive<int>());
            Assert.Throws<ObjectDisposedException>(() => b.Send(1));
            Assert.Throws<ObjectDisposedException>(() => b.Poll());
            b.Close(); // twice: nothing
        }
    }

    [Fact]
    public void Dispose_WhileAnotherThreadPolls_EndsIt()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            Exception? error = null;
            var polling = new Thread(() => error = Record.Exception(() => b.Poll(Timeout.InfiniteTimeSpan))) { Name = "ipc-dispose-pol", IsBackground = true };
            polling.Start();
            Bounded.Until(() => BlockedThreads.IsAsleep("ipc-dispose-pol"), "the poller blocks in the kernel");
            b.Dispose();
            Bounded.Join(polling);
            Assert.IsType<ObjectDisposedException>(error);
        }
    }

    [Fact]
    public async Task Dispose_WhileReceiveAsyncWaits_EndsItWithObjectDisposed()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            Task<int> receiving = b.ReceiveAsync<int>().AsTask();
            Task<bool> polling = b.PollAsync(Timeout.InfiniteTimeSpan).AsTask();
            b.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => Bounded.Within(receiving));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => Bounded.Within(polling));
        }
    }

    [Fact]
    public void Send_LargerThanTheLimit_RefusedBeforeAnythingIsSent()
    {
        var (a, b) = Connection.CreatePipe(maxMessageSize: 1000);
        using (a)
        using (b)
        {
            Assert.Equal(1000, a.MaxMessageSize);
            var e = Assert.Throws<ArgumentException>(() => a.SendBytes(new byte[1001]));
            Assert.Contains("1,001 bytes", e.Message, StringComparison.Ordinal);
            Assert.Contains("1,000 bytes", e.Message, StringComparison.Ordinal);
            Assert.Contains("maxMessageSize", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => a.Send(new string('x', 2000)));
            Assert.False(b.Poll());
            a.SendBytes(new byte[1000]); // the limit itself is allowed
            Assert.Equal(1000, b.ReceiveBytes().Length);
        }
    }

    [Fact]
    public async Task SendAsync_LargerThanTheLimit_RefusedBeforeAnythingIsSent()
    {
        var (a, b) = Connection.CreatePipe(maxMessageSize: 1000);
        using (a)
        using (b)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => a.SendBytesAsync(new byte[1001]).AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => a.SendAsync(new int[300]).AsTask());
            Assert.False(b.Poll());
        }
    }

    [Fact]
    public void CreatePipe_NonPositiveLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Connection.CreatePipe(maxMessageSize: 0));
        Assert.Equal(128 * 1024 * 1024, Connection.DefaultMaxMessageSize);
    }

    [Fact]
    public void ReceiveBytes_IntoTooSmallABuffer_LeavesTheMessageForTheNextReceive()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            a.SendBytes([1, 2, 3, 4, 5]);
            var e = Assert.Throws<ArgumentException>(() => b.ReceiveBytes(new byte[4]));
            Assert.Contains("stays unread", e.Message, StringComparison.Ordinal);
            Assert.True(b.Poll());
            Assert.Equal([1, 2, 3, 4, 5], b.ReceiveBytes());
        }
    }

    [Fact]
    public void Receive_OfAnotherType_ThrowsInvalidData_AndTheConnectionGoesOn()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            a.Send("not a number");
            var e = Assert.Throws<InvalidDataException>(() => b.Receive<int>());
            Assert.Contains("could not be read as int", e.Message, StringComparison.Ordinal);
            a.Send((1, 2));
            e = Assert.Throws<InvalidDataException>(() => b.Receive<int>()); // a whole int, with bytes left over
            a.Send(3);
            Assert.Equal(3, b.Receive<int>());
        }
    }

    [Fact]
    public void Send_AValueThatCannotTravel_FailsInSend_NamingTheType()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            var e = Assert.Throws<ArgumentException>(() => a.Send<Action>(() => { }));
            Assert.Contains("cannot be sent through a connection", e.Message, StringComparison.Ordinal);
            var stream = Assert.Throws<ArgumentException>(() => a.Send(new MemoryStream()));
            Assert.Contains("MemoryStream", stream.Message, StringComparison.Ordinal);
            var comparer = new Dictionary<string, short>(StringComparer.OrdinalIgnoreCase) { ["a"] = 1 };
            var d = Assert.Throws<ArgumentException>(() => a.Send(comparer));
            Assert.Contains("would not arrive as sent", d.Message, StringComparison.Ordinal);
            Assert.Throws<NotSupportedException>(() => b.Receive<Action>());
            Assert.False(b.Poll()); // nothing was sent
        }
    }

    [Fact]
    public void Send_FromManyThreads_MessagesNeverInterleave()
    {
        const int Threads = 4, PerThread = 500;
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            var senders = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                for (int i = 0; i < PerThread; i++)
                {
                    // Sizes vary around the 16 KiB split between one write and two.
                    a.Send(Enumerable.Repeat(t * PerThread + i, (i * 37 % 9000) + 1).ToArray());
                }
            }) { IsBackground = true }).ToList();
            senders.ForEach(s => s.Start());
            var seen = new HashSet<int>();
            for (int n = 0; n < Threads * PerThread; n++)
            {
                int[] message = b.Receive<int[]>();
                Assert.All(message, x => Assert.Equal(message[0], x));
                Assert.True(seen.Add(message[0]));
            }
            senders.ForEach(Bounded.Join);
            Assert.False(b.Poll());
        }
    }

    [Fact]
    public void ToString_TellsTheDirections()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        Assert.Equal("Connection (receive only)", reader.ToString());
        Assert.Equal("Connection (send only)", writer.ToString());
        reader.Dispose();
        writer.Dispose();
        Assert.Contains("closed", writer.ToString(), StringComparison.Ordinal);
    }
}
