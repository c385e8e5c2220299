using Equip.Protocol;

namespace Equip.Tests.Components;

/// The stable item ids as docs/components.md spells them out for containers in other languages.
public sealed class StableIdTests
{
    private const string Request = "0198c2d5-6a3e-7c11-9a52-3f0e8e2b7a10";

    [Fact]
    public void TheIdsOfTheDocumentedExamplesAreTheOnesEctComputes()
    {
        Assert.Equal(Guid.Parse("f72bd1e3-e225-5325-9b75-d81ac3b51a9d"), Ect.ContainerItemId("sim-1"));
        Assert.Equal(Guid.Parse("e6fc8d0a-2184-55e7-8fd8-27541a09a68f"), Ect.CapabilityItemId("sim-1", "Slider"));
        Assert.Equal(Request, Ect.ComponentIdForRequest(Guid.Parse(Request)));
        Assert.Equal(Guid.Parse("ddfbccb4-f872-5f59-b842-441970275a64"), Ect.ComponentItemId(Request));
        Assert.Equal(Guid.Parse("75c256ee-d4c6-5929-94b4-75ef1ef2cd2e"), Ect.ComponentItemId(Ect.ComponentIdForLocal("sim-1", "lamp")));
        Assert.Equal(Guid.Parse("e1356efe-3833-5483-9c5d-221e73526eb3"), Ect.PropertyItemId(Request, "value"));
    }

    [Fact]
    public void AnIdIsTheDocumentedRecipeOverTheSha1OfTheNames()
    {
        var hash = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes("equip.ect\u001fcontainer\u001fsim-1"));
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexString(bytes).ToLowerInvariant();

        Assert.Equal($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}", Ect.ContainerItemId("sim-1").ToString());
    }
}
