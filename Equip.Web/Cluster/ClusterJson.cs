using System.Text.Json;
using System.Text.Json.Serialization;

namespace Equip.Web.Cluster;

/// The JSON of the replication channel: SignalR's JSON protocol (System.Text.Json, web defaults),
/// plus what it cannot read by itself: a device key's grant holds its bounds as sets of strings (IReadOnlySet),
/// which System.Text.Json writes as an array but cannot make. Both ends configure it.
public static class ClusterJson
{
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new ReadOnlySetOfStrings());
        return options;
    }

    private sealed class ReadOnlySetOfStrings : JsonConverter<IReadOnlySet<string>>
    {
        public override IReadOnlySet<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<HashSet<string>>(ref reader, options) ?? [];

        public override void Write(Utf8JsonWriter writer, IReadOnlySet<string> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteStringValue(item);
            }
            writer.WriteEndArray();
        }
    }
}
