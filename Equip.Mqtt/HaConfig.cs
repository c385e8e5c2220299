using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Equip.Mqtt;

/// A Home Assistant MQTT discovery config as the mapping reads it (docs/mqtt.md, Home Assistant):
/// abbreviated keys expanded, `~` expanded in the topics, the device's identifiers, the state and
/// command topics with their payloads, availability, and the value template where it is one of
/// `{{ value }}` and `{{ value_json.<path> }}`.
internal sealed partial record HaConfig(
    string Platform,
    string ObjectId,
    string? Name,
    string DeviceId,
    string? DeviceName,
    string? StateTopic,
    string? CommandTopic,
    string[] ValuePath,
    bool TemplateUnderstood,
    string PayloadOn,
    string PayloadOff,
    string? PayloadPress,
    string? AvailabilityTopic,
    string PayloadAvailable,
    string PayloadNotAvailable,
    string? Unit)
{
    private static readonly Dictionary<string, string> Abbreviations = new()
    {
        ["~"] = "~", ["avty"] = "availability", ["avty_t"] = "availability_topic", ["cmd_t"] = "command_topic",
        ["dev"] = "device", ["ids"] = "identifiers", ["name"] = "name", ["p"] = "platform", ["pl_avail"] = "payload_available",
        ["pl_not_avail"] = "payload_not_available", ["pl_off"] = "payload_off", ["pl_on"] = "payload_on", ["pl_prs"] = "payload_press",
        ["stat_off"] = "state_off", ["stat_on"] = "state_on", ["stat_t"] = "state_topic", ["t"] = "topic", ["uniq_id"] = "unique_id",
        ["unit_of_meas"] = "unit_of_measurement", ["val_tpl"] = "value_template", ["stat_val_tpl"] = "state_value_template",
        ["mf"] = "manufacturer", ["mdl"] = "model", ["sw"] = "sw_version", ["cmps"] = "components", ["o"] = "origin",
    };

    /// The config's entities: one, or for a device config (`homeassistant/device/<id>/config`) one
    /// per entry of its components (`cmps`), each with the device's and origin's keys.
    public static IEnumerable<HaConfig> Read(string platform, string objectId, string? nodeId, JsonElement json)
    {
        if (Expand(JsonNode.Parse(json.GetRawText())) is not JsonObject config)
        {
            yield break;
        }
        if (platform == "device" && config["components"] is JsonObject components)
        {
            foreach (var (key, value) in components)
            {
                if (value is JsonObject component && component["platform"]?.GetValue<string>() is { } p)
                {
                    foreach (var shared in new[] { "device", "availability", "availability_topic", "state_topic", "~" })
                    {
                        if (component[shared] is null && config[shared] is { } node)
                        {
                            component[shared] = node.DeepClone();
                        }
                    }
                    yield return Of(p, key, nodeId ?? objectId, component);
                }
            }
            yield break;
        }
        yield return Of(platform, objectId, nodeId, config);
    }

    private static HaConfig Of(string platform, string objectId, string? nodeId, JsonObject config)
    {
        var root = Text(config, "~");
        string? Topic(string key) => Text(config, key) is { } topic ? topic.StartsWith('~') ? root + topic[1..] : topic.EndsWith('~') ? topic[..^1] + root : topic : null;
        var device = config["device"] as JsonObject;
        var ids = device?["identifiers"] switch { JsonArray array => array.FirstOrDefault()?.ToString(), JsonValue value => value.ToString(), _ => null };
        var template = Text(config, "value_template") ?? Text(config, "state_value_template");
        var (path, understood) = Template(template);
        var availability = Topic("availability_topic") ?? (config["availability"] as JsonArray)?.OfType<JsonObject>().Select(a => Text(a, "topic")).FirstOrDefault();
        return new HaConfig(platform, Text(config, "unique_id") ?? objectId, Text(config, "name"), ids ?? nodeId ?? objectId, Text(device, "name"),
            Topic("state_topic"), Topic("command_topic"), path, understood,
            Text(config, "state_on") ?? Text(config, "payload_on") ?? "ON", Text(config, "state_off") ?? Text(config, "payload_off") ?? "OFF",
            Text(config, "payload_press") ?? "PRESS", availability,
            Text(config, "payload_available") ?? "online", Text(config, "payload_not_available") ?? "offline", Text(config, "unit_of_measurement"));
    }

    /// `{{ value }}` is the payload; `{{ value_json.a.b }}` (or `['a']`, `[0]`) a part of it; any
    /// filter after `|` is left to the property's type. Anything else is not understood.
    private static (string[] Path, bool Understood) Template(string? template)
    {
        if (template is null)
        {
            return ([], true);
        }
        var match = TemplatePattern().Match(template);
        if (!match.Success)
        {
            return ([], false);
        }
        return ([.. PathPart().Matches(match.Groups["path"].Value).Select(m => m.Groups["name"].Value)], true);
    }

    private static JsonNode? Expand(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return node;
        }
        var expanded = new JsonObject();
        foreach (var (key, value) in obj.ToList())
        {
            obj.Remove(key);
            expanded[Abbreviations.GetValueOrDefault(key, key)] = key is "dev" or "device" or "cmps" or "components" or "avty" or "availability" ? ExpandAll(value) : value;
        }
        return expanded;
    }

    private static JsonNode? ExpandAll(JsonNode? node) => node switch
    {
        JsonObject obj when obj.All(p => p.Value is JsonObject) && obj.Count > 0 && !obj.ContainsKey("ids") && !obj.ContainsKey("identifiers") =>
            new JsonObject(obj.ToList().Select(p => { obj.Remove(p.Key); return KeyValuePair.Create(p.Key, Expand(p.Value)); })),
        JsonArray array => new JsonArray([.. array.ToList().Select(i => { array.Remove(i); return Expand(i); })]),
        _ => Expand(node),
    };

    private static string? Text(JsonObject? obj, string key) => obj?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : obj?[key]?.ToString();

    [GeneratedRegex(@"^\s*\{\{\s*value(?:_json(?<path>(?:\.\w+|\[\d+\]|\['[^']*'\]|\[""[^""]*""\])*))?\s*(?:\|[^}]*)?\}\}\s*$")]
    private static partial Regex TemplatePattern();

    [GeneratedRegex(@"\.(?<name>\w+)|\[(?<name>\d+)\]|\['(?<name>[^']*)'\]|\[""(?<name>[^""]*)""\]")]
    private static partial Regex PathPart();
}
