using System.Xml.Linq;
using Equip.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Equip.Web.Access;

/// The data-protection key ring (the keys of the dashboard's cookies and antiforgery tokens) in
/// the store, table data_protection_keys, so that every node of a cluster reads and makes the same
/// keys: a cookie made on one node holds on another (docs/scaling.md). A single node keeps its
/// keys in its data directory instead.
internal sealed class StoredKeyRing(IDbContextFactory<EquipDbContext> contexts) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return [.. db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = contexts.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
