using Concur.Tests.Support;

namespace Concur.Tests.Processes;

/// <summary>
/// Issue 7, point 5: arrays of primitive numbers of 64 KiB and more travel beside the message body (out of band), both
/// ways, and arrive exactly as they were at Submit.
/// </summary>
public sealed class LargePayloadTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private const int Elements = 300_000; // 300 KB to 2.4 MB: above the out-of-band threshold for every element type.

    private readonly ProcessPoolExecutor _pool = fixture.Pool;

    private static T[] Echo<T>(T[] values) => values;

    [Fact]
    public async Task Submit_LargeArrayOfEveryPrimitiveType_ComesBackEqual()
    {
        var random = new Random(7);
        byte[] bytes = new byte[Elements * 8];
        random.NextBytes(bytes);
        double[] doubles = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray(); // NaN payloads included.
        T[] From<T>(Func<int, T> f) => Enumerable.Range(0, Elements).Select(f).ToArray();

        await using var pool = new ProcessPoolExecutor(1);
        async Task Check<T>(T[] values)
            where T : struct
        {
            T[] back = await Bounded.Within(pool.Submit(Echo, values));
            Assert.Equal(values.Length, back.Length);
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).SequenceEqual(
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(back.AsSpan())), $"{typeof(T).Name}[] came back different");
        }
        await Check(bytes);
        await Check(doubles);
        await Check(From(i => (float)(i * 0.25)));
        await Check(From(i => (long)i * -7919));
        await Check(From(i => (ulong)i * 7919));
        await Check(From(i => i * -31));
        await Check(From(i => (uint)i * 31));
        await Check(From(i => (short)i));
        await Check(From(i => (ushort)i));
        await Check(From(i => (sbyte)i));
        await Check(From(i => (char)i));
    }

    [Fact]
    public async Task Submit_LargeArrayChangedAfterSubmit_WorkerSeesItAsItWasAtSubmit()
    {
        await using var single = new ProcessPoolExecutor(1);
        using var gate = new Gate();
        Task<int> busy = single.Submit(Gate.WaitInWorker, gate.Directory);
        gate.WaitStarted();
        long[] values = Enumerable.Range(1, Elements).Select(i => (long)i).ToArray();
        long expected = values.Sum();
        Task<long> sum = single.Submit(static (long[] v) => v.Sum(), values); // Queued behind the busy task.
        Array.Fill(values, -1L);
        gate.Open();
        await Bounded.Within(busy);
        Assert.Equal(expected, await Bounded.Within(sum));
    }

    [Fact]
    public async Task Submit_UserTypeHoldingLargeArrays_ArrivesAsSentAndComesBack()
    {
        var sample = new Samples { Name = "run 1", Values = Enumerable.Range(0, Elements).Select(i => i * 0.5).ToArray(), Counts = new int[Elements] };
        sample.Counts[^1] = 42;
        Samples back = await Bounded.Within(_pool.Submit(static (Samples s) => new Samples { Name = s.Name + "!", Values = s.Values, Counts = s.Counts }, sample));
        Assert.Equal("run 1!", back.Name);
        Assert.Equal(sample.Values, back.Values);
        Assert.Equal(42, back.Counts![^1]);
    }

    [Fact]
    public async Task Submit_TwoLargeArraysInOneArgumentAndResult_EachArrivesInItsPlace()
    {
        double[] a = Enumerable.Range(0, Elements).Select(i => (double)i).ToArray();
        int[] b = Enumerable.Range(0, Elements).Select(i => -i).ToArray();
        (int[], double[]) back = await Bounded.Within(_pool.Submit(static ((double[] A, int[] B) p) => (p.B, p.A), (a, b)));
        Assert.Equal(b, back.Item1);
        Assert.Equal(a, back.Item2);
    }

    [Fact]
    public async Task Submit_TheSameLargeArrayTwiceInOneArgument_ArrivesTwiceAsSent()
    {
        float[] once = Enumerable.Range(0, Elements).Select(i => (float)i).ToArray();
        float[][] back = await Bounded.Within(_pool.Submit(static (float[][] arrays) => arrays, new[] { once, once }));
        Assert.Equal(2, back.Length);
        Assert.Equal(once, back[0]);
        Assert.Equal(once, back[1]);
    }

    [Fact]
    public void Map_LargeArrayItems_ComeBackInOrder()
    {
        int[][] items = Enumerable.Range(0, 6).Select(k => Enumerable.Range(k, Elements / 10).ToArray()).ToArray();
        int[] firsts = _pool.Map(static (int[] x) => x[0], items, chunkSize: 2).ToArray();
        Assert.Equal(Enumerable.Range(0, 6), firsts);
    }

    /// <summary>A user type with large array fields.</summary>
    public sealed class Samples
    {
        public string? Name { get; set; }

        public double[]? Values { get; set; }

        public int[]? Counts { get; set; }
    }
}
