using System.Buffers;
using System.Text;
using Concur.Serialization;
using Concur.Tests.Processes;
using MessagePack;
using MessagePack.Resolvers;

namespace Concur.Tests.Serialization;

public sealed class PayloadTests
{
    private static byte[] Write<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Payload.Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T RoundTrip<T>(T value) => Payload.Read<T>(Write(value));

    [Fact]
    public void Options_ConcurResolverUnderUntrustedData_NeverTypeless()
    {
        Assert.Same(ConcurResolver.Composite, Payload.Options.Resolver);
        Assert.True(Payload.Options.Security.HashCollisionResistant);
        Assert.Equal(Payload.MaxReadDepth, Payload.Options.Security.MaximumObjectGraphDepth);
        Assert.NotNull(ContractlessStandardResolver.Instance.GetFormatter<Uri>()); // MessagePack still serves .NET types.
    }

    [Fact]
    public void Write_OrdinaryValue_CarriesNoTypeName()
    {
        byte[] bytes = Write(new Point(3, 4));
        string text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain(nameof(Point), text, StringComparison.Ordinal);
        Assert.DoesNotContain("Concur", text, StringComparison.Ordinal);
        Assert.Equal(new Point(3, 4), Payload.Read<Point>(bytes));
    }

    [Fact]
    public void Read_PrivateFieldSetByConstructor_ArrivesWithItsValue()
    {
        Assert.Equal(42, RoundTrip(new Secret(42)).Reveal());
    }

    [Fact]
    public void Read_StructWithPrivateReadOnlyState_ArrivesWithItsValues()
    {
        Measured back = RoundTrip(new Measured(2.5, "m"));
        Assert.Equal(2.5, back.Value);
        Assert.Equal("m", back.Unit);
        Assert.Equal("s", RoundTrip<Measured?>(new Measured(1, "s"))!.Value.Unit);
    }

    [Fact]
    public void Read_ChildProcessSubclassPrivateState_ArrivesWithItsValues()
    {
        var back = (PrivateStateChild)ValueCodecRoundTrip(typeof(PrivateStateChild), new PrivateStateChild("unused", 5, "a", "b"))!;
        Assert.Equal(5, back.First);
        Assert.Equal(new[] { "a", "b" }, back.Names);
    }

    private static object? ValueCodecRoundTrip(Type type, object value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        ValueCodec.For(type).Write(ref writer, value);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        return ValueCodec.For(type).Read(ref reader);
    }

    [Theory]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Unspecified)]
    public void Read_DateTime_KeepsItsKindAndTicks(DateTimeKind kind)
    {
        var at = new DateTime(2026, 3, 29, 1, 30, 15, kind).AddTicks(1234567);
        DateTime back = RoundTrip(new Stamped(at, "x")).At;
        Assert.Equal(kind, back.Kind);
        Assert.Equal(at.Ticks, back.Ticks);
        Assert.Equal(kind, RoundTrip(new[] { at })[0].Kind);
        Assert.Equal(kind, RoundTrip<DateTime?>(at)!.Value.Kind);
    }

    [Fact]
    public void Read_ObjectMemberOfAllowedType_ArrivesAsThatType()
    {
        ProcessTypeAllowlist.Allow<Point>();
        byte[] bytes = Write(new Holder { Value = new Point(1, 2) });
        Assert.Equal(new Point(1, 2), Assert.IsType<Point>(Payload.Read<Holder>(bytes).Value));
        Assert.Equal(7, Assert.IsType<int>(RoundTrip(new Holder { Value = 7 }).Value));
        Assert.Equal("s", Assert.IsType<string>(RoundTrip(new List<object> { "s" })[0]));
    }

    [Fact]
    public void Write_ObjectMemberOfTypeNotAllowed_RefusedWithTheCallThatAllowsIt()
    {
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Write(new Holder { Value = new List<Secret>() }));
        string message = e.GetBaseException().Message;
        Assert.Contains("declared as object is a List<Concur.Tests.Serialization.Secret>", message, StringComparison.Ordinal);
        Assert.Contains("ProcessTypeAllowlist.Allow<List<Concur.Tests.Serialization.Secret>>()", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AnonymousTypeInObjectMember_RefusedSayingToDeclareANamedType()
    {
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Write(new Holder { Value = new { A = 1 } }));
        Assert.Contains("declare a named type", e.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PolymorphicValueNamingATypeNotOnTheAllowlist_RefusedWithoutLoadingIt()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write(typeof(FileInfo).AssemblyQualifiedName);
        writer.WriteNil();
        writer.Flush();
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Payload.Read<object>(buffer.WrittenMemory));
        Assert.Contains("not on ProcessTypeAllowlist", e.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Cycle_RefusedNamingThePath()
    {
        var n = new Node { Value = 1 };
        n.Next = n;
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Write(n));
        string message = e.GetBaseException().Message;
        Assert.Contains("cycle", message, StringComparison.Ordinal);
        Assert.Contains("Node.Next", message, StringComparison.Ordinal);
        Assert.Contains("[NonSerialized]", message, StringComparison.Ordinal);
        Assert.Equal(3, RoundTrip(new Node { Value = 3 }).Value); // The guard is left clean after a refusal.
    }

    [Fact]
    public void Write_CycleThroughAnObjectList_Refused()
    {
        ProcessTypeAllowlist.Allow<List<object>>();
        var list = new List<object>();
        list.Add(list);
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Write(new Holder { Value = list }));
        Assert.Contains("cycle", e.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ChainDeeperThanTheLimit_RefusedNamingTheLimit()
    {
        Node head = Chain(GraphGuard.MaxDepth + 1);
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Write(head));
        string message = e.GetBaseException().Message;
        Assert.Contains($"more than {GraphGuard.MaxDepth} objects deep", message, StringComparison.Ordinal);
        Assert.Contains("array or a list", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ChainAtTheLimit_ArrivesWhole()
    {
        Node back = RoundTrip(Chain(GraphGuard.MaxDepth));
        int count = 0;
        for (Node? n = back; n is not null; n = n.Next)
        {
            count++;
        }
        Assert.Equal(GraphGuard.MaxDepth, count);
    }

    private static Node Chain(int length)
    {
        var head = new Node { Value = 0 };
        Node tail = head;
        for (int i = 1; i < length; i++)
        {
            tail.Next = new Node { Value = i };
            tail = tail.Next;
        }
        return head;
    }

    [Fact]
    public void Write_FieldThatCannotTravel_RefusedNamingTheMemberAndTheFix()
    {
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Write(new WithStream()));
        string message = e.GetBaseException().Message;
        Assert.Contains("Concur.Tests.Serialization.WithStream._stream is a MemoryStream", message, StringComparison.Ordinal);
        Assert.Contains("[NonSerialized]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonSerializedAndIgnoredMembers_StayBehind()
    {
        WithCache back = RoundTrip(new WithCache(9) { Label = "changed" });
        Assert.Equal(9, back.Id);
        Assert.Null(back.Cache);
        Assert.Null(back.Label);
    }

    [Fact]
    public void Write_DoubleArray_IsOneBlockOfRawLittleEndianBytes()
    {
        double[] values = [1.5, double.NaN, -0.0, double.MaxValue];
        byte[] bytes = Write(values);
        Assert.Equal(2 + (8 * values.Length), bytes.Length); // bin8 header: code and length.
        Assert.Equal(MessagePackCode.Bin8, bytes[0]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(1.5), BitConverter.ToInt64(bytes, 2)); // little-endian
        double[] back = Payload.Read<double[]>(bytes);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Read_RawArraysAndListsInsideValues_ArriveEqual()
    {
        var value = (new[] { 1, -2, int.MaxValue }, new List<double> { 0.25, 3 }, new[] { 'a', 'é' }, new ushort[] { 7 }, Array.Empty<long>(), (float[]?)null);
        var back = RoundTrip(value);
        Assert.Equal(value.Item1, back.Item1);
        Assert.Equal(value.Item2, back.Item2);
        Assert.Equal(value.Item3, back.Item3);
        Assert.Equal(value.Item4, back.Item4);
        Assert.Empty(back.Item5);
        Assert.Null(back.Item6);
    }

    [Fact]
    public void Read_MalformedRawArray_Refused()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(new byte[] { 1, 2, 3 });
        writer.Flush();
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Payload.Read<double[]>(buffer.WrittenMemory));
        Assert.Contains("whole number", e.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteToStream_LargeDoubleArray_ReadsBackFromStreamAndSequence()
    {
        double[] values = Enumerable.Range(0, 300_000).Select(static i => i * 0.5).ToArray();
        using var stream = new MemoryStream();
        Payload.Write(stream, values);
        Assert.Equal(5 + (8L * values.Length), stream.Length);
        Assert.Equal(Write(values), stream.ToArray()); // The direct stream path writes the bytes the buffered one does.
        stream.Position = 0;
        Assert.Equal(values, Payload.Read<double[]>(stream));
        Assert.Equal(values, Payload.Read<double[]>(new ReadOnlySequence<byte>(stream.ToArray())));
        stream.SetLength(0);
        Payload.Write<double[]?>(stream, null);
        stream.Position = 0;
        Assert.Null(Payload.Read<double[]?>(stream));
        stream.SetLength(0);
        Payload.Write(stream, new Point(1, 2));
        stream.Position = 0;
        Assert.Equal(new Point(1, 2), Payload.Read<Point>(stream));
    }

    [Fact]
    public void WriteToStream_LargeDoubleArray_AllocatesNoCopyOfIt()
    {
        double[] values = new double[1 << 20]; // 8 MiB
        Payload.Write(Stream.Null, values); // First call: type set-up.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Payload.Write(Stream.Null, values);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4096);
        using var buffered = new StreamBufferWriter(Stream.Null);
        Payload.Write<double[]>(buffered, values);
        before = GC.GetAllocatedBytesForCurrentThread();
        Payload.Write<double[]>(buffered, values); // Through the 64 KiB buffer: the header must not reserve the payload.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4096);
    }

    [Fact]
    public void Read_CollectionInterfaces_TravelAsTheirData()
    {
        Assert.Equal(new[] { 1, 2 }, RoundTrip<IReadOnlyList<int>>([1, 2]));
        Assert.Equal(new[] { "a" }, RoundTrip<IList<string>>(["a"]));
        Assert.Equal(new[] { 3 }, RoundTrip<IEnumerable<int>>(new[] { 3 }));
        Assert.Equal(new[] { 4 }, RoundTrip<ICollection<int>>([4]));
        Assert.Equal(new[] { 5 }, RoundTrip<IReadOnlyCollection<int>>([5]));
        Assert.Equal(2, RoundTrip<IReadOnlyDictionary<string, int>>(new Dictionary<string, int> { ["b"] = 2 })["b"]);
        Assert.Equal(3, RoundTrip<IDictionary<string, int>>(new Dictionary<string, int> { ["c"] = 3 })["c"]);
        Assert.True(RoundTrip<ISet<int>>(new HashSet<int> { 6 }).Contains(6));
        Assert.True(RoundTrip<IReadOnlySet<int>>(new HashSet<int> { 7 }).Contains(7));
    }
}
