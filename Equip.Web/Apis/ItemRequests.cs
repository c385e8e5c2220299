using System.Text.Json;

namespace Equip.Web.Apis;

/// Body of POST /api/items. Without an id the server makes one; with an existing id it is a re-add.
public sealed record AddItemRequest(Guid? Id, string? Type, JsonElement? Fields, bool? ProcessBound, double? LeaseSeconds);

/// Body of PUT /api/items/{id}: the new fields, optionally a new type and a new lease.
public sealed record UpdateItemRequest(string? Type, JsonElement? Fields, double? LeaseSeconds);

/// Body of POST /api/items/{id}/lease: renews for leaseSeconds, or for the item's own lease duration.
public sealed record RenewLeaseRequest(double? LeaseSeconds);
