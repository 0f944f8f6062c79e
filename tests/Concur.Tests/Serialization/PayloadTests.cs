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

    [Fact]
    public void Options_ContractlessUnderUntrustedData_NeverTypeless()
    {
        Assert.Same(ContractlessStandardResolver.Instance, Payload.Options.Resolver);
        Assert.Same(MessagePackSecurity.UntrustedData, Payload.Options.Security);
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
    public void Write_ObjectMemberInsideAValue_TravelsAsPlainDataWithoutTypeName()
    {
        byte[] bytes = Write(new List<object> { new Point(1, 2) });
        Assert.DoesNotContain(nameof(Point), Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        object back = Assert.Single(Payload.Read<List<object>>(bytes));
        Assert.IsNotType<Point>(back); // Read back as a map of primitives, never instantiated by a name.
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
        var e = Assert.Throws<MessagePackSerializationException>(() => Payload.Read<object>(buffer.WrittenMemory));
        Assert.Contains("not on ProcessTypeAllowlist", e.Message, StringComparison.Ordinal);
    }
}
