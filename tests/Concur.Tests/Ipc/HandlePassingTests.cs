using System.Net.Sockets;
using System.Security.Cryptography;
using Concur.Ipc.Internal;
using Concur.Serialization;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc;

/// <summary>
/// Issue 9, point 4: a connection end captured by a <see cref="ChildProcess"/> lambda, passed as its argument, held in
/// a field of a subclass, or given to a pool task arrives as a working end over the same socket; and the handle
/// sharer behind it refuses what it must, gives clear errors, and leaves nothing behind.
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class HandlePassingTests
{
    [Fact]
    public void PipeEnd_CapturedByChildLambda_WorksBothWays()
    {
        var (parentEnd, childEnd) = Connection.CreatePipe();
        using (parentEnd)
        using (childEnd)
        {
            var child = new ChildProcess(() =>
            {
                int n = childEnd.Receive<int>();
                childEnd.Send(n * 2);
                childEnd.Send(ChildProcess.CurrentProcessId);
            });
            int pid = RunChild(child, () =>
            {
                parentEnd.Send(21);
                Assert.Equal(42, ReceiveWithin<int>(parentEnd));
                return ReceiveWithin<int>(parentEnd);
            });
            Assert.NotEqual(Environment.ProcessId, pid);
            AssertNothingLeftBy(pid);
        }
    }

    [Fact]
    public void PipeEnd_AsChildArgument_WorksBothWays()
    {
        var (parentEnd, childEnd) = Connection.CreatePipe();
        using (parentEnd)
        using (childEnd)
        {
            int pid = RunChild(ChildProcess.Create(Echo, childEnd), () =>
            {
                parentEnd.Send(41);
                Assert.Equal(42, ReceiveWithin<int>(parentEnd));
                return ReceiveWithin<int>(parentEnd);
            });
            AssertNothingLeftBy(pid);
        }
    }

    [Fact]
    public void PipeEnd_AsFieldOfChildProcessSubclass_WorksBothWays()
    {
        var (parentEnd, childEnd) = Connection.CreatePipe();
        using (parentEnd)
        using (childEnd)
        {
            int pid = RunChild(new EchoingChild { End = childEnd }, () =>
            {
                parentEnd.Send(9);
                Assert.Equal(10, ReceiveWithin<int>(parentEnd));
                return ReceiveWithin<int>(parentEnd);
            });
            AssertNothingLeftBy(pid);
        }
    }

    [Fact]
    public async Task EndsFromAListener_PassedToAChild_WorkThere()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var listener = new ConnectionListener(key);
        Task<Connection> accepting = listener.AcceptAsync().AsTask();
        using Connection client = Connection.Connect(listener.Address, key);
        using Connection server = await Bounded.Within(accepting);
        int pid = RunChild(ChildProcess.Create(Echo, client), () =>
        {
            server.Send(1);
            Assert.Equal(2, ReceiveWithin<int>(server));
            return ReceiveWithin<int>(server);
        });
        listener.Dispose(); // Its socket file goes with it; the check below looks for any.
        AssertNothingLeftBy(pid);
    }

    [Fact]
    public async Task SharedSocket_OneCopyGoesAsynchronous_BlockingReceivesOnTheOtherStillWait()
    {
        // O_NONBLOCK belongs to the open socket, which both copies share: before the sharer switched every copy to
        // .NET's emulated blocking, this blocking receive failed at once with "Connection timed out".
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            using Connection copy = TakeCopy(HandleSharer.Register(b), b);
            a.Send(1);
            Assert.Equal(1, await Bounded.Within(copy.ReceiveAsync<int>().AsTask()));
            int got = 0;
            Exception? failure = null;
            var receiver = new Thread(() =>
            {
                try
                {
                    got = b.Receive<int>();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            })
            { Name = "handles-recv" };
            receiver.Start();
            Bounded.Until(() => BlockedThreads.IsAsleep("handles-recv") || !receiver.IsAlive, "the receiver waits");
            a.Send(2);
            Bounded.Join(receiver);
            Assert.Null(failure);
            Assert.Equal(2, got);
        }
    }

    [Fact]
    public void OneWayEnds_StayOneWayInTheChild_WithTheirSizeLimit()
    {
        var (fromChild, toParent) = Connection.CreatePipe(duplex: false, maxMessageSize: 4096);
        var (toChildReader, toChild) = Connection.CreatePipe(duplex: false, maxMessageSize: 4096);
        using (fromChild)
        using (toParent)
        using (toChildReader)
        using (toChild)
        {
            var child = new ChildProcess(() => ReportDirections(toParent, toChildReader));
            string report = RunChild(child, () =>
            {
                toChild.Send(5);
                return ReceiveWithin<string>(fromChild);
            });
            Assert.Equal("False/True/4096 True/False NotSupportedException NotSupportedException 5", report);
        }
    }

    [Fact]
    public async Task PipeEnd_PassedToPoolTasks_AsArgumentAndAsCapture_SendsBack()
    {
        var (parentEnd, taskEnd) = Connection.CreatePipe();
        using (parentEnd)
        using (taskEnd)
        {
            var workers = new HashSet<int>();
            await using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
            {
                // As the argument, twice, to two tasks at once: one registration, a descriptor for each.
                Task<int> first = pool.Submit(SendPid, taskEnd);
                Task<int> second = pool.Submit(SendPid, taskEnd);
                workers.Add(await Bounded.Within(first));
                workers.Add(await Bounded.Within(second));
                var arrived = new HashSet<int> { ReceiveWithin<int>(parentEnd), ReceiveWithin<int>(parentEnd) };
                Assert.Subset(arrived, workers);
                Assert.DoesNotContain(Environment.ProcessId, arrived);

                // As a captured variable.
                int offset = 1000;
                int worker = await Bounded.Within(pool.Submit(() =>
                {
                    taskEnd.Send(offset + 1);
                    return Environment.ProcessId;
                }));
                workers.Add(worker);
                Assert.Equal(1001, ReceiveWithin<int>(parentEnd));

                // Inside a record, among other data.
                workers.Add(await Bounded.Within(pool.Submit(SendLabel, new Holder("in a record", taskEnd))));
                Assert.Equal("in a record", ReceiveWithin<string>(parentEnd));
            }
            foreach (int pid in workers)
            {
                AssertNothingLeftBy(pid);
            }
        }
    }

    [Fact]
    public async Task PipeEnd_GivenToProcessPoolApply_AndDisposedBeforeTheTaskRuns_TheTaskFailsClearly()
    {
        var (parentEnd, taskEnd) = Connection.CreatePipe();
        var (gate, gateInWorker) = Connection.CreatePipe();
        using (parentEnd)
        using (gate)
        using (gateInWorker)
        {
            await using var pool = new ProcessPool(processes: 1);
            Assert.Equal(1, await Bounded.Within(pool.ApplyAsync(SendOne, taskEnd)));
            Assert.Equal(1, ReceiveWithin<int>(parentEnd));

            // The one worker waits at the gate, so the next task runs only after its end was disposed here.
            Task<int> blocker = pool.ApplyAsync(() => gateInWorker.Receive<int>());
            Task<int> late = pool.ApplyAsync(SendOne, taskEnd);
            taskEnd.Dispose();
            gate.Send(2);
            Assert.Equal(2, await Bounded.Within(blocker));
            var e = await Assert.ThrowsAnyAsync<Exception>(() => Bounded.Within(late));
            Assert.Contains("was disposed in the sending process", e.Message, StringComparison.Ordinal);
            Assert.Equal(3, pool.Apply(() => 3)); // The worker goes on.
        }
    }

    [Fact]
    public void SenderDisposesBeforeTheChildOpens_TheChildGetsTheClearError()
    {
        var (carrier, carried) = Connection.CreatePipe();
        var (control, childControl) = Connection.CreatePipe();
        var (late, lateOther) = Connection.CreatePipe();
        using (carrier)
        using (carried)
        using (control)
        using (childControl)
        using (lateOther)
        {
            var child = new ChildProcess(() =>
            {
                childControl.Receive<int>(); // Only once the parent has disposed the end it sent.
                try
                {
                    using Connection received = carried.Receive<Connection>();
                    childControl.Send("received");
                }
                catch (IOException e)
                {
                    childControl.Send(e.Message);
                }
            });
            string message = RunChild(child, () =>
            {
                carrier.Send(late);
                late.Dispose();
                control.Send(1);
                return ReceiveWithin<string>(control);
            });
            Assert.Contains($"the Connection was disposed in the sending process (pid {Environment.ProcessId}) before this process opened it", message, StringComparison.Ordinal);
            Assert.Contains("Keep the object open in the sender until the receiver has it", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SenderKilledBeforeTheParentOpens_ClearError_AndItsSharerIsGone()
    {
        var (parentEnd, childEnd) = Connection.CreatePipe();
        using (parentEnd)
        using (childEnd)
        {
            var child = new ChildProcess(() =>
            {
                var (mine, theirs) = Connection.CreatePipe();
                childEnd.Send(theirs); // Registers theirs with the child's sharer, which stays up...
                childEnd.Receive<int>(); // ...until the parent kills this process.
                GC.KeepAlive(mine);
            });
            child.Start();
            try
            {
                Assert.True(parentEnd.Poll(Bounded.Limit), "The child's message did not arrive.");
                int pid = child.Pid!.Value;
                Assert.True(SharerSockets.ExistsFor(pid), "The child's sharer should be listening while it lives.");
                child.Kill();
                Assert.True(child.Join(Bounded.Limit));
                Assert.Equal(-9, child.ExitCode);
                var e = Assert.Throws<IOException>(() => parentEnd.Receive<Connection>());
                Assert.Contains($"the process that sent this Connection (pid {pid}) has exited before this process opened it", e.Message, StringComparison.Ordinal);
                Assert.Contains("Keep the object open in the sender until the receiver has it", e.Message, StringComparison.Ordinal);
                AssertNothingLeftBy(pid);
            }
            finally
            {
                StopChild(child);
            }
        }
    }

    [Fact]
    public void WrongTicket_GetsNoDescriptor_AndTheSharerGoesOnServing()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            HandleSharer.Grant grant = HandleSharer.Register(b);
            var address = new UnixDomainSocketEndPoint("\0" + grant.Name);

            // A peer that connects and says nothing holds only its own connection.
            using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            silent.Connect(address);

            // A peer that sends half a ticket and leaves.
            using (var half = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                half.Connect(address);
                half.Send(new byte[HandleSharer.TicketLength / 2]);
            }

            // A peer with a wrong ticket: an answer byte, and no descriptor.
            using (var guesser = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                guesser.Connect(address);
                guesser.Send(RandomNumberGenerator.GetBytes(HandleSharer.TicketLength));
                Assert.True(guesser.Poll(Bounded.Limit, SelectMode.SelectRead));
                Assert.Equal(1, UnixRights.Receive(guesser.SafeHandle, out byte answer, out int descriptor, out _));
                Assert.Equal(-1, descriptor);
                Assert.Equal((byte)HandleSharer.Answer.Unknown, answer);
            }

            // The right ticket still works, while the silent peer is still connected.
            using Connection copy = TakeCopy(grant, b);
            copy.Send("through the copy");
            Assert.Equal("through the copy", ReceiveWithin<string>(a));
            a.Send(7);
            Assert.Equal(7, ReceiveWithin<int>(copy));
        }
    }

    [Fact]
    public async Task PeerOfAnotherUser_IsRefusedBeforeItsTicketIsRead_EvenWithTheRightTicket()
    {
        const string Python = "/usr/bin/python3"; // Not a pyenv shim: another user cannot enter root's home.
        if (Environment.UserName != "root" || !File.Exists(Python))
        {
            return; // Running a peer as another user (setpriv) needs root; the same-user path is tested everywhere else.
        }
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            HandleSharer.Grant grant = HandleSharer.Register(b);
            const string Script =
                "import socket, sys\n" +
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n" +
                "s.settimeout(20)\n" +
                "s.connect('\\0' + sys.argv[1])\n" +
                "try:\n    s.sendall(bytes.fromhex(sys.argv[2]))\nexcept OSError:\n    pass\n" +
                "data, ancillary, flags, address = s.recvmsg(1, socket.CMSG_SPACE(64))\n" +
                "print(data.hex(), len(ancillary))\n";
            using var peer = StartAsNobody(Python, Script, grant.Name, Convert.ToHexString(grant.Ticket));
            try
            {
                Task<string> output = peer.StandardOutput.ReadToEndAsync();
                Task<string> errors = peer.StandardError.ReadToEndAsync();
                await Bounded.Within(peer.WaitForExitAsync());
                Assert.True(peer.ExitCode == 0, await errors);
                Assert.Equal($"{(byte)HandleSharer.Answer.OtherUser:x2} 0", (await output).Trim());
            }
            finally
            {
                if (!peer.HasExited)
                {
                    peer.Kill();
                }
            }
            using Connection copy = TakeCopy(grant, b); // The sharer goes on serving this user.
        }
    }

    [Fact]
    public async Task SharerOfAnotherUser_TheReceiverRefusesIt()
    {
        const string Python = "/usr/bin/python3";
        if (Environment.UserName != "root" || !File.Exists(Python))
        {
            return; // Running a listener as another user (setpriv) needs root.
        }
        string name = HandleSharer.NamePrefix + "1-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        const string Script =
            "import socket, sys\n" +
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n" +
            "s.bind('\\0' + sys.argv[1])\n" +
            "s.listen(1)\n" +
            "print('ready', flush=True)\n" +
            "s.settimeout(20)\n" +
            "c, _ = s.accept()\n" +
            "c.settimeout(20)\n" +
            "c.recv(16)\n";
        using var impostor = StartAsNobody(Python, Script, name);
        try
        {
            Assert.Equal("ready", await Bounded.Within(impostor.StandardOutput.ReadLineAsync()));
            var e = Assert.Throws<IOException>(() => HandleSharer.Take(name, 1, new byte[HandleSharer.TicketLength], "Connection"));
            Assert.Contains("runs as user 65534", e.Message, StringComparison.Ordinal);
            Assert.Contains("only between processes of the same user", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (!impostor.HasExited)
            {
                impostor.Kill();
            }
            await Bounded.Within(impostor.WaitForExitAsync());
        }
    }

    [Fact]
    public void DisposedObject_IsRevoked_AndATakerIsToldSo()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        {
            HandleSharer.Grant grant = HandleSharer.Register(b);
            Assert.Equal(grant.Ticket, HandleSharer.Register(b).Ticket); // One registration per object.
            Assert.True(HandleSharer.IsRegistered(b));
            b.Dispose();
            Assert.False(HandleSharer.IsRegistered(b));
            var e = Assert.Throws<IOException>(() => HandleSharer.Take(grant.Name, grant.Pid, grant.Ticket, "Connection"));
            Assert.Contains("was disposed in the sending process", e.Message, StringComparison.Ordinal);
            Assert.Throws<ObjectDisposedException>(() => HandleSharer.Register(b));
        }
    }

    [Fact]
    public void CopyInAnotherProcessOrHere_EndOfFileOnlyWhenEveryCopyIsClosed()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        {
            HandleSharer.Grant grant = HandleSharer.Register(b);
            Connection copy = TakeCopy(grant, b);
            b.Dispose();
            Assert.False(a.Poll(TimeSpan.Zero), "The copy still holds the socket open: no end of file yet.");
            copy.Send(3);
            Assert.Equal(3, ReceiveWithin<int>(a));
            copy.Dispose();
            Assert.True(a.Poll(Bounded.Limit));
            Assert.Throws<EndOfStreamException>(() => a.Receive<int>());
        }
    }

    [Fact]
    public void RoundTripCheck_NeitherRegistersNorTakes_AndNullTravelsAsNil()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            SendableTypes.CheckRoundTripOnce(new Holder("x", b));
#pragma warning disable CA2263 // The overload by run-time type is the one closures and ChildProcess subclasses use.
            SendableTypes.CheckRoundTripOnce(typeof(Connection), b);
#pragma warning restore CA2263
            Assert.False(HandleSharer.IsRegistered(b));
            Assert.Null(SendableTypes.WhyNot(typeof(Connection)));
            Assert.Null(SendableTypes.WhyNot(typeof(Holder)));

            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            Payload.Write<Connection?>(buffer, null);
            Assert.Equal([0xc0], buffer.WrittenSpan.ToArray());
            Assert.Null(Payload.Read<Connection?>(buffer.WrittenMemory));
        }
    }

    [Fact]
    public void Subclass_TravelsThroughItsBase_AndArrivesAsItself()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        {
            using var loud = new PassedEnd.Loud(b);
            Assert.True(ConcurResolver.IsPassedByHandle(typeof(PassedEnd.Loud)));
            Assert.Null(SendableTypes.WhyNot(typeof(PassedEnd.Loud)));
            SendableTypes.CheckRoundTripOnce(loud);
            Assert.False(HandleSharer.IsRegistered(loud));

            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            Payload.Write<PassedEnd>(buffer, loud); // Declared as the base: the kind travels in the state.
            using (PassedEnd back = Payload.Read<PassedEnd>(buffer.WrittenMemory))
            {
                Assert.IsType<PassedEnd.Loud>(back);
                back.End.Send(5);
                Assert.Equal(5, ReceiveWithin<int>(a));
            }

            buffer.Clear();
            var (c, d) = Connection.CreatePipe();
            using Connection other = c;
            using var plain = new PassedEnd(d);
            Payload.Write(buffer, plain);
            var e = Assert.ThrowsAny<Exception>(() => Payload.Read<PassedEnd.Loud>(buffer.WrittenMemory));
            Assert.Contains("A PassedEnd arrived where a Loud was declared", e.GetBaseException().Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A record holding an end among other data.</summary>
    public sealed record Holder(string Label, Connection End);

    private static void Echo(Connection end)
    {
        int n = end.Receive<int>();
        end.Send(n + 1);
        end.Send(ChildProcess.CurrentProcessId);
    }

    private static int SendOne(Connection end)
    {
        using (end)
        {
            end.Send(1);
        }
        return 1;
    }

    private static int SendLabel(Holder holder)
    {
        using (holder.End)
        {
            holder.End.Send(holder.Label);
        }
        return Environment.ProcessId;
    }

    private static int SendPid(Connection end)
    {
        using (end) // The worker's own copy: closing it leaves the parent's open.
        {
            end.Send(Environment.ProcessId);
        }
        return Environment.ProcessId;
    }

    private static void ReportDirections(Connection toParent, Connection fromParent)
    {
        string receiving = Refused(() => toParent.Receive<int>());
        string sending = Refused(() => fromParent.Send(1));
        int n = fromParent.Receive<int>();
        toParent.Send($"{toParent.CanReceive}/{toParent.CanSend}/{toParent.MaxMessageSize} {fromParent.CanReceive}/{fromParent.CanSend} {receiving} {sending} {n}");
    }

    private static string Refused(Action action)
    {
        try
        {
            action();
            return "allowed";
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    /// <summary>Takes a copy of <paramref name="owner"/> here, as a receiving process does (Take, then FromTransfer).</summary>
    private static Connection TakeCopy(HandleSharer.Grant grant, Connection owner) =>
        Rebuild(owner, HandleSharer.Take(grant.Name, grant.Pid, grant.Ticket, "Connection"));

    private static T Rebuild<T>(T owner, Microsoft.Win32.SafeHandles.SafeFileHandle taken)
        where T : class, IPassedByHandle<T> => T.FromTransfer(taken, owner.TransferState);

    /// <summary>Starts <paramref name="python"/> running <paramref name="script"/> as user and group 65534 (nobody).</summary>
    private static System.Diagnostics.Process StartAsNobody(string python, string script, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
            ArgumentList = { "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", script },
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return System.Diagnostics.Process.Start(start)!;
    }

    private static T ReceiveWithin<T>(Connection end)
    {
        Assert.True(end.Poll(Bounded.Limit), $"No message arrived within {Bounded.Limit.TotalSeconds} s.");
        return end.Receive<T>();
    }

    private static TResult RunChild<TResult>(ChildProcess child, Func<TResult> parentSide)
    {
        child.Start();
        try
        {
            TResult result = parentSide();
            Assert.True(child.Join(Bounded.Limit), "The child did not exit.");
            Assert.Equal(0, child.ExitCode);
            return result;
        }
        finally
        {
            StopChild(child);
        }
    }

    private static void StopChild(ChildProcess child)
    {
        if (child.IsAlive)
        {
            child.Kill();
            child.Join(Bounded.Limit);
        }
    }

    private static void AssertNothingLeftBy(int pid)
    {
        Assert.False(SharerSockets.ExistsFor(pid), $"Process {pid} has exited, and its sharer's abstract socket is still listed.");
        Assert.Empty(SharerSockets.FilesLeftBy([pid, Environment.ProcessId]));
    }
}
