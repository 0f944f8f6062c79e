using System.Buffers;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Sharing;

/// <summary>Issue 10, point 1: blocks of shared memory, anonymous and named, in one process and passed to others.</summary>
[Collection(IpcCollection.Name)]
public sealed class SharedMemoryTests : SharedLeaks
{
    [Fact]
    public void Anonymous_SpanAndMemory_AreTheSameBytes()
    {
        using var block = new SharedMemory(10_000);
        Assert.Null(block.Name);
        Assert.Equal(10_000, block.Size);
        Assert.True(block.Span.ToArray().All(b => b == 0));
        block.Span[9_999] = 42;
        Assert.Equal(42, block.Memory.Span[9_999]);
        block.Memory.Span[0] = 7;
        Assert.Equal(7, block.Span[0]);
        Assert.Equal("SharedMemory(anonymous, size=10000)", block.ToString());
        Assert.Throws<InvalidOperationException>(() => block.Unlink());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedMemory(0));
    }

    [Fact]
    public void Memory_Pinned_KeepsTheMappingUntilUnpinned()
    {
        var block = new SharedMemory(64);
        Memory<byte> memory = block.Memory;
        MemoryHandle pin = memory.Pin();
        block.Dispose();
        Assert.Throws<ObjectDisposedException>(() => block.Span.Length);
        Assert.Equal([Environment.ProcessId], Holders()); // still mapped: the pin holds it
        pin.Dispose();
        Assert.Empty(Holders());
        Assert.Throws<ObjectDisposedException>(() => memory.Span.Length);
    }

    [Fact]
    public void Named_CreateOpenUnlink_SameBytes_AndTheNameGoesOnlyWithUnlink()
    {
        string name = NewName("shm");
        using var created = SharedMemory.Create(name, 4096);
        Assert.True(File.Exists("/dev/shm/" + name));
        Assert.Throws<IOException>(() => SharedMemory.Create(name, 10));
        using (var opened = SharedMemory.Open("/" + name))
        {
            Assert.Equal(name, opened.Name);
            Assert.Equal(4096, opened.Size);
            created.Span[100] = 9;
            Assert.Equal(9, opened.Span[100]);
        }
        Assert.True(File.Exists("/dev/shm/" + name)); // disposing of a view never removes the name

        Assert.True(created.Unlink());
        Assert.False(File.Exists("/dev/shm/" + name));
        Assert.False(SharedMemory.Unlink(name));
        Assert.Throws<FileNotFoundException>(() => SharedMemory.Open(name));
        created.Span[101] = 10; // the open view goes on after the name is gone
        Assert.Equal(10, created.Span[101]);
    }

    [Fact]
    public void Named_UnlinkedWhileAChildHasItOpen_TheChildGoesOnAndTheMemoryGoesWithTheLastView()
    {
        string name = NewName("shm");
        var block = SharedMemory.Create(name, 64);
        using var toChild = new ProcessQueue<int>();
        using var toParent = new ProcessQueue<int>();
        block.Span[0] = 41;
        var child = new ChildProcess(() =>
        {
            using var mine = SharedMemory.Open(name);
            toParent.Put(1);
            toChild.Get(Bounded.Limit); // the parent unlinked the name and closed its view
            mine.Span[0]++;
            toParent.Put(mine.Span[0]);
            toChild.Get(Bounded.Limit); // the parent looked at /proc
        });
        child.Start();
        try
        {
            Assert.Equal(1, toParent.Get(Bounded.Limit));
            block.Unlink();
            block.Dispose();
            toChild.Put(2);
            Assert.Equal(42, toParent.Get(Bounded.Limit));
            Assert.Equal([child.Pid!.Value], Holders("/dev/shm/" + name));
            toChild.Put(3);
            Assert.True(child.Join(Bounded.Limit));
            Assert.Empty(Holders("/dev/shm/" + name));
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public void InvalidNames_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => SharedMemory.Create("a/b", 10));
        Assert.Throws<ArgumentException>(() => SharedMemory.Open(".."));
        Assert.Throws<ArgumentException>(() => SharedMemory.Open(""));
    }

    [Fact]
    public void Block_CapturedArgumentAndField_IsTheSameMemoryInTheChild()
    {
        using var block = new SharedMemory(256);
        block.Span[0] = 1;
        RunChild(new ChildProcess(() => block.Span[1] = (byte)(block.Span[0] + 1)));
        RunChild(ChildProcess.Create(WriteThree, block));
        RunChild(new Writer(block));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, block.Span[..4].ToArray());
    }

    [Fact]
    public void NamedBlock_PassedByHandle_ArrivesWithItsName()
    {
        string name = NewName("shm");
        using var block = SharedMemory.Create(name, 128);
        try
        {
            RunChild(new ChildProcess(() =>
            {
                if (block.Name == name)
                {
                    block.Span[0] = 77;
                }
            }));
            Assert.Equal(77, block.Span[0]);
        }
        finally
        {
            block.Unlink();
        }
    }

    [Fact]
    public async Task Block_GivenToPoolTasks_IsTheSameMemory()
    {
        using var block = new SharedMemory(64);
        await using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
        {
            await Bounded.Within(Task.WhenAll(
                pool.Submit(WriteFive, block),
                pool.Submit(() =>
                {
                    block.Span[6] = 6;
                    return 0;
                })));
        }
        Assert.Equal(5, block.Span[5]);
        Assert.Equal(6, block.Span[6]);
    }

    [Fact]
    public void Holder_Killed_TheMemoryGoesWithTheLastView()
    {
        var block = new SharedMemory(1024 * 1024);
        using var control = new ProcessQueue<int>();
        using var never = new ProcessQueue<int>();
        var holder = new ChildProcess(() =>
        {
            block.Span[0] = 1;
            control.Put(1);
            never.Get(); // holds the block until the test kills it (its own put stays for the parent)
        });
        holder.Start();
        try
        {
            Assert.Equal(1, control.Get(Bounded.Limit));
            Assert.Contains(holder.Pid!.Value, Holders());
            holder.Kill();
            Assert.True(holder.Join(Bounded.Limit));
            Assert.Equal([Environment.ProcessId], Holders());
            Assert.Equal(1, block.Span[0]);
        }
        finally
        {
            End(holder);
            block.Dispose();
        }
        Assert.Empty(Holders()); // no descriptor, no mapping: the kernel has freed it
    }

    [Fact]
    public void EveryUser_Killed_NothingRemains()
    {
        // The block is made in child A, passed to child B through a connection, and both are SIGKILLed while they
        // hold it: this process never had it, so once they are gone no one does.
        var (userEnd, creatorEnd) = Connection.CreatePipe(duplex: false); // the first receives, the second sends
        using (userEnd)
        using (creatorEnd)
        using (var ready = new ProcessQueue<int>())
        using (var never = new ProcessQueue<int>())
        {
            var creator = new ChildProcess(() =>
            {
                var block = new SharedMemory(64 * 1024);
                block.Span[0] = 7;
                creatorEnd.Send(block);
                ready.Put(ChildProcess.CurrentProcessId);
                never.Get(); // holds the block until killed
            });
            var user = new ChildProcess(() =>
            {
                var block = userEnd.Receive<SharedMemory>();
                ready.Put(block.Span[0] == 7 ? ChildProcess.CurrentProcessId : -1);
                never.Get(); // holds the block until killed
            });
            creator.Start();
            user.Start();
            try
            {
                int[] pids = [ready.Get(Bounded.Limit), ready.Get(Bounded.Limit)];
                Assert.Equal(new[] { creator.Pid!.Value, user.Pid!.Value }.Order(), pids.Order());
                string memory = $"memfd:concur-shm-{creator.Pid!.Value}-";
                Assert.Equal(pids.Order(), Holders(memory));
                creator.Kill();
                user.Kill();
                Assert.True(creator.Join(Bounded.Limit));
                Assert.True(user.Join(Bounded.Limit));
                Assert.Empty(Holders(memory));
                Assert.Empty(TempFolderCheck.Leftovers(creator.Pid!.Value));
            }
            finally
            {
                End(creator);
                End(user);
            }
        }
    }

    internal static void WriteThree(SharedMemory block) => block.Span[2] = 3;

    internal static int WriteFive(SharedMemory block)
    {
        block.Span[5] = 5;
        return 5;
    }

    internal static void RunChild(ChildProcess child)
    {
        child.Start();
        try
        {
            Assert.True(child.Join(Bounded.Limit), "The child did not end in time.");
            Assert.Equal(0, child.ExitCode);
        }
        finally
        {
            End(child);
        }
    }

    internal static void End(ChildProcess child)
    {
        if (child.IsAlive)
        {
            child.Kill();
            child.Join(Bounded.Limit);
        }
    }

    private sealed class Writer(SharedMemory block) : ChildProcess
    {
        private readonly SharedMemory _block = block;

        protected override void Run() => _block.Span[3] = 4;
    }
}
