using System.Text;
using Concur.Tests.Support;

namespace Concur.Tests.Ipc.Sharing;

/// <summary>
/// Named shared memory between Concur and the real CPython of this machine (<c>python3</c>, 3.11 here, and every 3.12
/// or later found), both ways, with <c>multiprocessing.shared_memory.SharedMemory</c> as written. CPython's resource
/// tracker unlinks, when a Python process exits, every block that process created <i>or opened</i> (cpython#82300):
/// the tests show it, and the workaround (<c>resource_tracker.unregister</c>).
/// </summary>
[Collection(IpcCollection.Name)]
public sealed class SharedMemoryPythonTests : SharedLeaks
{
    /// <summary>Opens the block named argv[1]; argv[2] == "keep" unregisters it from the resource tracker.</summary>
    private const string OpenScript = """
        import sys
        from multiprocessing import shared_memory, resource_tracker
        name, keep = sys.argv[1], sys.argv[2] == "keep"
        s = shared_memory.SharedMemory(name=name)
        if keep:
            resource_tracker.unregister(s._name, "shared_memory")
        print(s.size, bytes(s.buf[:4]).hex(), flush=True)
        s.buf[4:8] = b"py!!"
        s.close()
        print("done", flush=True)
        """;

    /// <summary>Creates a block of argv[1] bytes under a name CPython chooses, waits (bounded) for Concur's mark, and unlinks it or leaves that to the tracker.</summary>
    private const string CreateScript = """
        import sys, time
        from multiprocessing import shared_memory
        s = shared_memory.SharedMemory(create=True, size=int(sys.argv[1]))
        s.buf[0:5] = b"hello"
        print(s.name, flush=True)
        deadline = time.monotonic() + 30
        while s.buf[5] != 0x21 and time.monotonic() < deadline:
            time.sleep(0.001)
        print(bytes(s.buf[5:10]).decode("ascii", "replace"), flush=True)
        s.close()
        if sys.argv[2] == "unlink":
            s.unlink()
        """;

    public static TheoryData<string, string> Cases(string a, string b)
    {
        var data = new TheoryData<string, string>();
        foreach (string python in PythonPeer.Interpreters())
        {
            data.Add(python, a);
            data.Add(python, b);
        }
        return data;
    }

    public static TheoryData<string, string> OpenCases() => Cases("keep", "tracked");

    public static TheoryData<string, string> CreateCases() => Cases("unlink", "tracker");

    [Theory]
    [MemberData(nameof(OpenCases))]
    public async Task Python_OpensABlockConcurCreated_ReadsAndWritesIt(string python, string tracking)
    {
        string name = NewName("py");
        string path = "/dev/shm/" + name;
        using var block = SharedMemory.Create(name, 4096);
        try
        {
            new byte[] { 1, 2, 3, 4 }.CopyTo(block.Span);
            await using var peer = PythonPeer.Start(python, OpenScript, name, tracking);
            Assert.Equal("4096 01020304", await peer.ReadLineAsync());
            Assert.Equal("done", await peer.ReadLineAsync());
            await peer.ExpectExitAsync(0);
            Assert.Equal("py!!", Encoding.ASCII.GetString(block.Span[4..8]));
            if (tracking == "keep")
            {
                Assert.True(File.Exists(path));
            }
            else
            {
                // Python's resource tracker unlinks what the Python process merely opened, once it has exited.
                Bounded.Until(() => !File.Exists(path), "Python's resource tracker unlinked the name");
            }
            block.Span[8] = 8; // this process's view goes on either way
            Assert.Equal(8, block.Span[8]);
        }
        finally
        {
            SharedMemory.Unlink(name);
        }
    }

    [Theory]
    [MemberData(nameof(CreateCases))]
    public async Task Concur_OpensABlockPythonCreated_ReadsAndWritesIt(string python, string removal)
    {
        await using var peer = PythonPeer.Start(python, CreateScript, "1000", removal);
        string name = await peer.ReadLineAsync();
        Assert.StartsWith("psm_", name, StringComparison.Ordinal);
        string path = "/dev/shm/" + name;
        try
        {
            using var block = SharedMemory.Open(name);
            Assert.Equal(name, block.Name);
            Assert.Equal(1000, block.Size);
            Assert.Equal("hello", Encoding.ASCII.GetString(block.Span[..5]));
            "abcd"u8.CopyTo(block.Span[6..]);
            Volatile.Write(ref block.Span[5], (byte)'!');
            Assert.Equal("!abcd", await peer.ReadLineAsync());
            await peer.ExpectExitAsync(0);
            Bounded.Until(() => !File.Exists(path), "Python (or its resource tracker) unlinked the name");
            Assert.Equal("hello", Encoding.ASCII.GetString(block.Span[..5])); // the memory lives while Concur maps it
        }
        finally
        {
            if (File.Exists(path))
            {
                SharedMemory.Unlink(name);
            }
        }
        Assert.Empty(Holders(path));
    }
}
