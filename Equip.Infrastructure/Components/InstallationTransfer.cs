using System.Text.Json;
using System.Text.Json.Serialization;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Components.Links;
using Equip.Protocol;

namespace Equip.Infrastructure.Components;

public sealed record InstallationRequest(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("containerId")] string? ContainerId,
    [property: JsonPropertyName("selector")] SelectorFields? Selector,
    [property: JsonPropertyName("initialValues")] IReadOnlyDictionary<string, JsonElement>? InitialValues)
{
    /// <summary>The component's name (absent in files made before names: the server names it).</summary>
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }
}

public sealed record InstallationLink(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("source")] PropertyReference Source,
    [property: JsonPropertyName("destination")] PropertyReference Destination);

public sealed record InstallationConstant(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("destination")] PropertyReference Destination,
    [property: JsonPropertyName("value")] JsonElement Value);

/// An installation's persistent part: what to run, how to wire it, and what to hold constant.
public sealed record InstallationDocument(
    [property: JsonPropertyName("requests")] IReadOnlyList<InstallationRequest> Requests,
    [property: JsonPropertyName("links")] IReadOnlyList<InstallationLink> Links,
    [property: JsonPropertyName("constants")] IReadOnlyList<InstallationConstant> Constants);

/// What an import did: how many requests, links and constants it made, and which it found already there.
public sealed record ImportResult(int RequestsCreated, int RequestsExisting, int LinksCreated, int LinksExisting, int ConstantsCreated, int ConstantsExisting);

/// Export and import of an installation (the original's saved configurations). An import gives
/// every request a new identity and rewrites the links and constants that refer to it; a request,
/// link or constant equal to one that exists is not made again, so importing twice changes nothing.
public sealed class InstallationTransfer(IDataspace dataspace, ComponentCommands components, LinkCommands links, ItemLimits limits)
{
    public async Task<InstallationDocument> ExportAsync(CancellationToken cancellationToken)
    {
        var items = (await dataspace.SnapshotAsync(new Pattern("ect.*"), cancellationToken)).Items;
        return new InstallationDocument(
            Read<ComponentRequestFields>(items, Ect.ComponentRequest).Select(r => new InstallationRequest(r.Id, r.Fields.Capability, r.Fields.ContainerId, r.Fields.Selector, r.Fields.InitialValues) { Name = r.Fields.Name }).ToList(),
            Read<LinkFields>(items, Ect.Link).Select(l => new InstallationLink(l.Id, l.Fields.Source, l.Fields.Destination)).ToList(),
            Read<ConstantFields>(items, Ect.Constant).Select(c => new InstallationConstant(c.Id, c.Fields.Destination, c.Fields.Value)).ToList());
    }

    public async Task<ImportResult> ImportAsync(InstallationDocument document, CancellationToken cancellationToken)
    {
        Validate(document);
        var existing = await ExportAsync(cancellationToken);
        var remap = new Dictionary<Guid, Guid>();
        int requestsCreated = 0, requestsExisting = 0, linksCreated = 0, linksExisting = 0, constantsCreated = 0, constantsExisting = 0;
        foreach (var request in document.Requests ?? [])
        {
            var same = existing.Requests.FirstOrDefault(e => SameRequest(e, request));
            if (same is not null)
            {
                remap[request.Id] = same.Id;
                requestsExisting++;
                continue;
            }
            var made = await components.RequestAsync(new ComponentRequestFields(request.Capability, request.ContainerId, request.Selector, request.InitialValues, null, null, null, null, null) { Name = request.Name }, cancellationToken);
            remap[request.Id] = made.Id;
            requestsCreated++;
        }
        foreach (var link in document.Links ?? [])
        {
            var fields = new LinkFields(Remap(link.Source, remap), Remap(link.Destination, remap));
            if (existing.Links.Any(e => Same(e.Source, fields.Source) && Same(e.Destination, fields.Destination)))
            {
                linksExisting++;
                continue;
            }
            await links.LinkAsync(fields, cancellationToken);
            linksCreated++;
        }
        foreach (var constant in document.Constants ?? [])
        {
            var fields = new ConstantFields(Remap(constant.Destination, remap), constant.Value);
            if (existing.Constants.Any(e => Same(e.Destination, fields.Destination) && JsonValues.AreEqual(e.Value, fields.Value)))
            {
                constantsExisting++;
                continue;
            }
            await links.ConstantAsync(fields, cancellationToken);
            constantsCreated++;
        }
        return new ImportResult(requestsCreated, requestsExisting, linksCreated, linksExisting, constantsCreated, constantsExisting);
    }

    /// Refuses a document with an entry that lacks what every entry needs, before anything is made.
    private void Validate(InstallationDocument document)
    {
        for (var i = 0; i < (document.Requests?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(document.Requests![i]?.Capability))
            {
                throw new InvalidItemException($"requests[{i}] needs a capability.");
            }
            EctRules.Values(document.Requests[i].InitialValues, limits, $"requests[{i}].initialValues");
        }
        for (var i = 0; i < (document.Links?.Count ?? 0); i++)
        {
            if (document.Links![i] is not { Source: not null, Destination: not null })
            {
                throw new InvalidItemException($"links[{i}] needs a source and a destination.");
            }
        }
        for (var i = 0; i < (document.Constants?.Count ?? 0); i++)
        {
            if (document.Constants![i] is not { Destination: not null } constant || constant.Value.ValueKind == JsonValueKind.Undefined)
            {
                throw new InvalidItemException($"constants[{i}] needs a destination and a value.");
            }
            EctRules.Value(constant.Value, limits, $"constants[{i}].value");
        }
    }

    private static List<(Guid Id, T Fields)> Read<T>(IReadOnlyList<ItemState> items, string type) where T : class =>
        items.Where(i => i.Type == type)
            .Select(i => (i.Id, Fields: EctJson.Read<T>(i.Fields)))
            .Where(x => x.Fields is not null)
            .Select(x => (x.Id, x.Fields!))
            .OrderBy(x => x.Id)
            .ToList();

    private static PropertyReference Remap(PropertyReference reference, Dictionary<Guid, Guid> remap) =>
        reference.ComponentRequestId is { } id && remap.TryGetValue(id, out var mapped) ? reference with { ComponentRequestId = mapped } : reference;

    private static bool Same(PropertyReference a, PropertyReference b) =>
        a.ComponentId() == b.ComponentId() && a.Property == b.Property;

    private static bool SameRequest(InstallationRequest a, InstallationRequest b) =>
        a.Capability == b.Capability
        && a.ContainerId == b.ContainerId
        && JsonValues.AreEqual(JsonSerializer.SerializeToElement(a.Selector), JsonSerializer.SerializeToElement(b.Selector))
        && JsonValues.AreEqual(JsonSerializer.SerializeToElement(a.InitialValues ?? new Dictionary<string, JsonElement>()), JsonSerializer.SerializeToElement(b.InitialValues ?? new Dictionary<string, JsonElement>()));
}
