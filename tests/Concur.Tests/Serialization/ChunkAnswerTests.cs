using System.Buffers;
using Concur.Serialization;
using MessagePack;

namespace Concur.Tests.Serialization;

/// <summary>
/// The answer to a map chunk, <c>[done, error | nil, results]</c>: what a worker writes reads back, and a body that
/// breaks the shape is refused (the parent's reader turns that into a corrupt frame).
/// </summary>
public sealed class ChunkAnswerTests
{
    private static readonly byte[] s_validError = [0x94, 0xA1, (byte)'E', 0xA1, (byte)'m', 0xA0, 0xC0]; // ["E", "m", "", nil]

    private static ReadOnlySequence<byte> Written<TResult>(TResult[] results, Exception? error)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        ChunkAnswer.Write(ref writer, results, error);
        writer.Flush();
        return new ReadOnlySequence<byte>(buffer.WrittenMemory.ToArray());
    }

    [Fact]
    public void Read_EveryItemRan_AllResultsAndNoError()
    {
        var (done, error, results) = ChunkAnswer.Read(Written(new[] { 1, 4, 9 }, null), items: 3);
        Assert.Equal(3, done);
        Assert.Null(error);
        Assert.Equal([1, 4, 9], ChunkAnswer.ReadResults<int>(results, done));
    }

    [Fact]
    public void Read_AnItemThrew_ResultsBeforeItAndItsError()
    {
        var (done, error, results) = ChunkAnswer.Read(Written(new[] { "a", "b" }, new InvalidOperationException("item 2 failed")), items: 5);
        Assert.Equal(2, done);
        Assert.NotNull(error);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteTypeName);
        Assert.Equal("item 2 failed", error.Message);
        Assert.Equal(["a", "b"], ChunkAnswer.ReadResults<string>(results, done));
    }

    [Fact]
    public void Read_FirstItemThrew_NoResults()
    {
        var (done, error, results) = ChunkAnswer.Read(Written(Array.Empty<double>(), new ArgumentException("no")), items: 1);
        Assert.Equal(0, done);
        Assert.Equal("no", error!.Message);
        Assert.Empty(ChunkAnswer.ReadResults<double>(results, done));
    }

    [Theory]
    [InlineData(new byte[] { 0xC1 }, "")] // not MessagePack
    [InlineData(new byte[] { 0x92, 0x01, 0xC0 }, "an array of 2 elements")]
    [InlineData(new byte[] { 0x93, 0x03, 0xC0, 0xC0 }, "3 results without an error for a chunk of 2 items")]
    [InlineData(new byte[] { 0x93, 0x01, 0xC0, 0xC0 }, "1 results without an error for a chunk of 2 items")]
    [InlineData(new byte[] { 0x93, 0xFF, 0xC0, 0xC0 }, "-1 results without an error")]
    [InlineData(new byte[] { 0x93, 0x00, 0xC1, 0xC0 }, "")] // the error is not MessagePack
    [InlineData(new byte[] { 0x93, 0x00, 0x05, 0xC0 }, "")] // the error is not an error
    [InlineData(new byte[] { 0x93, 0xA1, (byte)'x', 0xC0, 0xC0 }, "")] // done is not a number
    public void Read_MalformedBody_Refused(byte[] body, string why)
    {
        var thrown = Assert.ThrowsAny<Exception>(() => ChunkAnswer.Read(new ReadOnlySequence<byte>(body), items: 2));
        Assert.True(thrown is InvalidDataException or MessagePackSerializationException, thrown.ToString());
        Assert.Contains(why, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ErrorAlthoughEveryItemRan_Refused()
    {
        byte[] body = [0x93, 0x02, .. s_validError, 0xC0];
        var thrown = Assert.Throws<InvalidDataException>(() => ChunkAnswer.Read(new ReadOnlySequence<byte>(body), items: 2));
        Assert.Contains("an error at item 2 of a chunk of 2 items", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadResults_OtherCountThanAnnounced_Refused()
    {
        var (_, _, results) = ChunkAnswer.Read(Written(new[] { 1, 2 }, null), items: 2);
        var thrown = Assert.Throws<InvalidDataException>(() => ChunkAnswer.ReadResults<int>(results, done: 3));
        Assert.Contains("2 results where it announced 3", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadResults_BytesAfterTheResults_Refused()
    {
        var (done, _, results) = ChunkAnswer.Read(Written(new[] { 1, 2 }, null), items: 2);
        var padded = new ReadOnlySequence<byte>([.. results.ToArray(), 0xC0]);
        var thrown = Assert.Throws<InvalidDataException>(() => ChunkAnswer.ReadResults<int>(padded, done));
        Assert.Contains("bytes after the results", thrown.Message, StringComparison.Ordinal);
    }
}
