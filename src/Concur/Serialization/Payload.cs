using MessagePack;
using MessagePack.Resolvers;

namespace Concur.Serialization;

/// <summary>
/// The one serializer configuration for everything that crosses a process boundary: MessagePack's contractless
/// resolver (no attributes needed on user types) under <see cref="MessagePackSecurity.UntrustedData"/>, always by
/// the declared type. No type names travel for ordinary values and the Typeless resolver is never used, so nothing
/// read from the wire can choose which type gets instantiated.
/// </summary>
internal static class Payload
{
    /// <summary>Gets the serializer options every Concur process boundary uses.</summary>
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(ContractlessStandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
