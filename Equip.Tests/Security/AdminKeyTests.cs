using System.Net;
using Equip.Tests.Support;

namespace Equip.Tests.Security;

/// With no admin key configured, the server makes one at its first start, keeps it in the data
/// directory for its owner only, and takes the same key after a restart.
public sealed class AdminKeyTests : IDisposable
{
    private readonly TestStore _store = TestStore.Sqlite();

    private TestStore Unconfigured() =>
        _store with { Settings = _store.Settings.Where(s => s.Key != "Equip:Auth:AdminKey").ToDictionary() };

    [Fact]
    public async Task TheFirstStartMakesAnAdminKeyReadableOnlyByItsOwnerAndLaterStartsKeepIt()
    {
        var file = Path.Combine(_store.DataDirectory, "admin.key");
        string key;
        using (var first = new EquipServer(Unconfigured()))
        {
            key = (await File.ReadAllTextAsync(file)).Trim();
            Assert.StartsWith("eqa_", key, StringComparison.Ordinal);
            Assert.True(key.Length >= 40, key);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
            using var admin = first.NewClient(key);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/keys")).StatusCode);
        }
        using var second = new EquipServer(Unconfigured());
        Assert.Equal(key, (await File.ReadAllTextAsync(file)).Trim());
        using var again = second.NewClient(key);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/keys")).StatusCode);
        using var test = second.NewClient(); // the key the other tests configure is not this server's
        Assert.Equal(HttpStatusCode.Unauthorized, (await test.GetAsync("/api/keys")).StatusCode);
    }

    public void Dispose() => _store.Dispose();
}
