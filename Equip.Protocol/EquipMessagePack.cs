using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Equip.Protocol;

/// MessagePack settings both ends use: the standard resolver plus JSON values as native maps,
/// with the limits MessagePack applies to untrusted data.
public static class EquipMessagePack
{
    /// The resolver: JsonElement first, then MessagePack's standard one.
    public static readonly IFormatterResolver Resolver = CompositeResolver.Create(
        [JsonElementFormatter.Instance],
        [StandardResolver.Instance]);

    /// Serializer options with that resolver and untrusted-data security.
    public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(Resolver)
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
