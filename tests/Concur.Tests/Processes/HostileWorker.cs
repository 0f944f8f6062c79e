using System.Buffers.Binary;
using Concur.Processes.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concur.Tests.Processes;

/// <summary>
/// Worker functions that play a hostile worker: they write raw bytes to the worker's own result pipe, as any code
/// in a worker (a native library, a bug) can, since the pipe's handle is on the worker's command line.
/// </summary>
internal static class HostileWorker
{
    /// <summary>Frame kinds, as bytes on the wire.</summary>
    public const byte Ready = 64, Result = 65, Error = 66, InitializeFailed = 67, ResultArray = 68, Skipped = 69;

    /// <summary>Builds a frame: <c>[int32 length][kind][int64 id][body]</c>.</summary>
    public static byte[] Frame(byte kind, long id, byte[] body, int? lengthPrefix = null)
    {
        var frame = new byte[13 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, lengthPrefix ?? frame.Length - 4);
        frame[4] = kind;
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(5), id);
        body.CopyTo(frame, 13);
        return frame;
    }

    /// <summary>Worker side: writes <paramref name="bytes"/> to the result pipe, then returns (the host then answers).</summary>
    public static int Write(byte[] bytes)
    {
        WriteRaw(bytes);
        return 1;
    }

    /// <summary>Worker side: writes the frame built from the running task's id, then returns.</summary>
    /// <param name="spec">kind, id offset from the running task (or <see cref="long.MinValue"/> for id 0), body.</param>
    public static int WriteForRunningTask((byte Kind, long IdOffset, byte[] Body) spec)
    {
        long id = spec.IdOffset == long.MinValue ? 0 : WorkerHost.CurrentTaskId + spec.IdOffset;
        WriteRaw(Frame(spec.Kind, id, spec.Body));
        return 1;
    }

    /// <summary>Worker side: writes a Result header for the running task that promises more body than follows, then returns.</summary>
    public static int WriteTruncatedForRunningTask(int claimedBodyLength)
    {
        WriteRaw(Frame(Result, WorkerHost.CurrentTaskId, [1, 2, 3, 4, 5], lengthPrefix: 9 + claimedBodyLength));
        return 1;
    }

    /// <summary>Worker side: writes <paramref name="bytes"/>, then stays busy (the parent must not wait for it).</summary>
    public static int WriteAndHang(byte[] bytes)
    {
        WriteRaw(bytes);
        // Runs in the worker, which the parent kills: the sleep only keeps the worker from answering first.
        Thread.Sleep(TimeSpan.FromSeconds(60));
        return 1;
    }

    /// <summary>Worker side: writes <paramref name="bytes"/>, then kills its own process.</summary>
    public static int WriteAndDie(byte[] bytes)
    {
        WriteRaw(bytes);
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(TimeSpan.FromSeconds(60)); // Not reached: the kill ends the worker.
        return 1;
    }

    /// <summary>Worker side: writes the frames for the running task, then stays busy.</summary>
    public static int WriteForRunningTaskAndHang((byte Kind, long IdOffset, byte[] Body) spec)
    {
        long id = WorkerHost.CurrentTaskId + spec.IdOffset;
        WriteRaw(Frame(spec.Kind, id, spec.Body));
        Thread.Sleep(TimeSpan.FromSeconds(60)); // Runs in the worker, which the parent kills.
        return 1;
    }

    /// <summary>Worker side: writes <paramref name="frames"/> with each frame's id (bytes 5-12) set to the running task's, then returns.</summary>
    public static int WriteForRunningTaskFrames(byte[] frames)
    {
        WriteRaw(ForRunningTask(frames));
        return 1;
    }

    /// <summary>Worker side: as <see cref="WriteForRunningTaskFrames"/>, then stays busy.</summary>
    public static int WriteForRunningTaskFramesAndHang(byte[] frames)
    {
        WriteRaw(ForRunningTask(frames));
        Thread.Sleep(TimeSpan.FromSeconds(60)); // Runs in the worker, which the parent kills.
        return 1;
    }

    private static byte[] ForRunningTask(byte[] frames)
    {
        for (int at = 0; at + 13 <= frames.Length; at += 4 + BinaryPrimitives.ReadInt32LittleEndian(frames.AsSpan(at)))
        {
            BinaryPrimitives.WriteInt64LittleEndian(frames.AsSpan(at + 5), WorkerHost.CurrentTaskId);
        }
        return frames;
    }

    private static void WriteRaw(byte[] bytes)
    {
        string[] args = Environment.GetCommandLineArgs();
        int at = Array.IndexOf(args, LaunchPlan.WorkerArgument);
        if (at < 0 || at + 3 >= args.Length)
        {
            throw new InvalidOperationException("Not running in a Concur worker.");
        }
        // A plain write(2) on the descriptor, as native code would do (a second PipeStream on it would change its mode).
        var handle = new SafeFileHandle(checked((IntPtr)long.Parse(args[at + 3], System.Globalization.CultureInfo.InvariantCulture)), ownsHandle: false);
        using var pipe = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        pipe.Write(bytes);
    }
}
