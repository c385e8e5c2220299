using System.Security.Cryptography;
using System.Text;

namespace Equip.Protocol;

/// <summary>
/// The component layer's item types and their stable identities (docs/components.md). Process-bound
/// items (containers, capabilities, components, properties) are published by containers; persistent
/// ones (component requests, links, constants) are made through the server.
/// </summary>
public static class Ect
{
    /// <summary>A container process: fields containerId, name, host, labels (object of strings).</summary>
    public const string Container = "ect.Container";

    /// <summary>A component type a container can create: fields containerId, capability, properties (array of PropertySchema).</summary>
    public const string Capability = "ect.Capability";

    /// <summary>A running component: fields componentId, containerId, capability, componentRequestId (or null), name.</summary>
    public const string Component = "ect.Component";

    /// <summary>One property of a running component: fields componentId, name, type, readOnly, value.</summary>
    public const string Property = "ect.Property";

    /// <summary>
    /// "Run this capability": fields capability, containerId (or null), selector ({host, labels} or
    /// null), initialValues (object), lastValues (object); the server adds assignedContainerId,
    /// status ("pending" or "running"), reason and componentId.
    /// </summary>
    public const string ComponentRequest = "ect.ComponentRequest";

    /// <summary>A property link: fields source and destination, each a PropertyReference.</summary>
    public const string Link = "ect.Link";

    /// <summary>A value kept on a destination property: fields destination (PropertyReference), value.</summary>
    public const string Constant = "ect.Constant";

    /// <summary>The property value types.</summary>
    public static readonly IReadOnlyList<string> ValueTypes = ["string", "number", "integer", "boolean", "json"];

    /// <summary>The item id of a container's ect.Container item.</summary>
    public static Guid ContainerItemId(string containerId) => Stable("container", containerId);

    /// <summary>The item id of a container's ect.Capability item.</summary>
    public static Guid CapabilityItemId(string containerId, string capability) => Stable("capability", containerId, capability);

    /// <summary>The component id of a component made for a request: the request's id.</summary>
    public static string ComponentIdForRequest(Guid componentRequestId) => componentRequestId.ToString();

    /// <summary>The component id of a component a container made on its own: containerId/name.</summary>
    public static string ComponentIdForLocal(string containerId, string name) => $"{containerId}/{name}";

    /// <summary>The item id of a component's ect.Component item.</summary>
    public static Guid ComponentItemId(string componentId) => Stable("component", componentId);

    /// <summary>The item id of a component's ect.Property item.</summary>
    public static Guid PropertyItemId(string componentId, string property) => Stable("property", componentId, property);

    /// <summary>A name-based (version 5 style) GUID: the same names give the same id in every process.</summary>
    public static Guid Stable(params string[] names)
    {
        var bytes = SHA1.HashData(Encoding.UTF8.GetBytes("equip.ect\u001f" + string.Join('\u001f', names)));
        var guid = bytes.AsSpan(0, 16).ToArray();
        guid[6] = (byte)((guid[6] & 0x0F) | 0x50);
        guid[8] = (byte)((guid[8] & 0x3F) | 0x80);
        return new Guid(guid, bigEndian: true);
    }
}
