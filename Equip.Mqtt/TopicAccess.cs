using Equip.Domain.Access;

namespace Equip.Mqtt;

/// Which topics a device key may publish and subscribe to (docs/mqtt.md, Keys): a key bound to
/// containers reaches the topics with one of those container ids as a level (`stat/plug-1/POWER`
/// for `plug-1`, as for `homie/5/plug-1/...`); a key with no container bindings, and the admin
/// key, reach every topic. A subscription with a wildcard is allowed when one of its fixed
/// levels is such an id; `#` alone, or `+/#`, is not.
public static class TopicAccess
{
    /// Why the key may not use the topic (or filter), or null when it may.
    public static string? RefusalOf(DeviceGrant? grant, string topic)
    {
        if (grant is null || grant.ContainerIds.Count == 0)
        {
            return null;
        }
        foreach (var level in topic.Split('/'))
        {
            if (grant.ContainerIds.Contains(level))
            {
                return null;
            }
        }
        return $"Key '{grant.KeyName}' may not use topic '{topic}': none of its levels is one of the containers it is bound to ({string.Join(", ", grant.ContainerIds.Order())}).";
    }
}
