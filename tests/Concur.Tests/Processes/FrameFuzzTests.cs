using System.Buffers.Binary;
using System.Diagnostics;
using Concur.Processes.Internal;
using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>
/// Bounded, seeded fuzzing of both directions of the worker protocol: random frames to the parent's reader (in
/// process, and through a real pool), and random input to the worker host (in process, and to a real worker
/// process). A failure names its seed and case, so it reproduces.
/// </summary>
public sealed class FrameFuzzTests(HostilePoolFixture fixture) : IClassFixture<HostilePoolFixture>
{
    private const int Seed = 20261202;

    private static readonly byte[] s_kinds = [1, 2, 3, 4, 6, 8, 64, 65, 66, 67, 68, 0, 99, 255];

    private static int Square(int x) => x * x;

    /// <summary>Random bytes shaped like frames: mostly well-formed headers with random kinds, ids, lengths and bodies,
    /// some with lying length prefixes, some plain noise.</summary>
    private static byte[] RandomFrames(Random random, byte[] kinds, int maxFrames = 4)
    {
        var bytes = new List<byte>();
        int frames = random.Next(1, maxFrames + 1);
        for (int f = 0; f < frames; f++)
        {
            int shape = random.Next(10);
            if (shape == 0)
            {
                var noise = new byte[random.Next(1, 40)];
                random.NextBytes(noise);
                bytes.AddRange(noise);
                continue;
            }
            var body = new byte[random.Next(0, shape == 1 ? 3000 : 40)];
            random.NextBytes(body);
            if (random.Next(3) == 0 && body.Length > 0)
            {
                body[0] = (byte)(0x90 + random.Next(6)); // Looks like a MessagePack array.
            }
            var header = new byte[13];
            int length = shape == 2 ? random.Next(int.MinValue, int.MaxValue) : shape == 3 ? body.Length + 9 + random.Next(-12, 12) : body.Length + 9;
            BinaryPrimitives.WriteInt32LittleEndian(header, length);
            header[4] = kinds[random.Next(kinds.Length)];
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(5), random.Next(4) == 0 ? random.NextInt64() : random.Next(-2, 5));
            bytes.AddRange(header);
            bytes.AddRange(body);
        }
        return bytes.ToArray();
    }

    [Fact]
    public void ParentReader_RandomFrames_OnlyEverReportsACorruptFrame()
    {
        var random = new Random(Seed);
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = RandomFrames(random, s_kinds);
            using var reader = new FrameReader(new MemoryStream(input), maxLength: 1 << 20);
            try
            {
                while (reader.TryReadHeader(out FrameHeader header))
                {
                    if (header.Kind is FrameKind.ResultArray or FrameKind.Array)
                    {
                        reader.ReadArray(header);
                        continue;
                    }
                    var body = reader.ReadBody(header);
                    switch (header.Kind)
                    {
                        case FrameKind.Ready:
                            FromWorker.Ready.Decode(header);
                            break;
                        case FrameKind.Error:
                            FromWorker.Error.Decode(header, body);
                            break;
                        case FrameKind.InitializeFailed:
                            FromWorker.InitializeFailed.Decode(header, body);
                            break;
                    }
                }
            }
            catch (CorruptFrameException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message), $"seed {Seed}, case {i}: an empty account");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {Seed}, case {i}: the reader threw {e.GetType().Name}: {e.Message}");
            }
        }
    }

    [Fact]
    public async Task Submit_WorkerWritesRandomFrames_ParentSurvivesAndPoolWorks()
    {
        ProcessPoolExecutor pool = fixture.Pool;
        var random = new Random(Seed + 1);
        byte[] workerKinds = [64, 65, 66, 67, 68, 99];
        for (int i = 0; i < 6; i++)
        {
            byte[] garbage = RandomFrames(random, workerKinds, maxFrames: 2);
            Task<int> task = pool.Submit(HostileWorker.WriteAndHang, garbage);
            Exception? e = await Record.ExceptionAsync(() => Bounded.Within(task));
            Assert.True(e is WorkerCrashedException { Message: var m } && m.Contains("sent a corrupt frame", StringComparison.Ordinal),
                $"seed {Seed + 1}, case {i}: expected a corrupt-frame failure, got {e?.GetType().Name}: {e?.Message}");
        }
        Assert.False(pool.IsBroken);
        Assert.Equal(49, await Bounded.Within(pool.Submit(Square, 7)));
    }

    [Fact]
    public void WorkerHost_RandomInput_ExitsWithACodeNeverAnException()
    {
        var random = new Random(Seed + 2);
        byte[] parentKinds = [1, 2, 3, 4, 6, 8, 0, 64, 99, 255]; // Not AllowTypes (global state) nor RunMain (prints a traceback).
        for (int i = 0; i < 1000; i++)
        {
            byte[] input = RandomFrames(random, parentKinds);
            using var log = new StringWriter();
            int code = WorkerHost.Serve(new MemoryStream(input), new MemoryStream(), log);
            Assert.True(code is 0 or 1 or WorkerHost.BadInput, $"seed {Seed + 2}, case {i}: exit code {code}");
            if (code == WorkerHost.BadInput)
            {
                Assert.Contains("Concur worker", log.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task WorkerProcess_RandomInput_ExitsWithACodeNeverAnException()
    {
        var random = new Random(Seed + 3);
        byte[] parentKinds = [1, 2, 3, 4, 6, 7, 8, 0, 64, 99, 255];
        for (int i = 0; i < 4; i++)
        {
            byte[] input = RandomFrames(random, parentKinds);
            SpawnedProcess spawned = ProcessSpawner.Spawn($"fuzz-{i}", dieWithParent: false);
            try
            {
                Task drain = spawned.FromWorker.CopyToAsync(Stream.Null);
                try
                {
                    spawned.ToWorker.Write(input);
                }
                catch (IOException)
                {
                    // The worker already exited on an earlier frame.
                }
                spawned.ToWorker.Dispose();
                await Bounded.Within(spawned.Process.WaitForExitAsync());
                await Bounded.Within(drain);
                int code = spawned.Process.ExitCode;
                Assert.True(code is 0 or 1 or WorkerHost.BadInput, $"seed {Seed + 3}, case {i}: exit code {code}");
            }
            finally
            {
                if (!spawned.Process.HasExited)
                {
                    spawned.Process.Kill();
                }
                spawned.ToWorker.Dispose();
                spawned.FromWorker.Dispose();
                spawned.Process.Dispose();
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("--concur-worker")]
    [InlineData("--concur-worker not-a-pid 3 4 1")]
    [InlineData("--concur-worker 1 x 4 1")]
    [InlineData("--concur-worker 1 3 4 maybe")]
    public async Task WorkerHost_StartedByHandWithBadArguments_ExitsWithAMessage(string commandLine)
    {
        string[] arguments = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        LaunchPlan plan = LaunchPlan.Current;
        var info = new ProcessStartInfo(plan.FileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in plan.Prefix.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        using Process process = Process.Start(info)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        await Bounded.Within(process.WaitForExitAsync());
        string message = await Bounded.Within(error) + await Bounded.Within(output);
        Assert.Equal(2, process.ExitCode);
        Assert.DoesNotContain("Unhandled exception", message, StringComparison.Ordinal);
        Assert.True(message.Contains("bad arguments", StringComparison.Ordinal) || message.Contains("Concur.dll is a library", StringComparison.Ordinal), message);
    }
}
