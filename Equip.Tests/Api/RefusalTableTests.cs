using System.Reflection;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace;
using Equip.Protocol;
using Equip.Web.ErrorHandling;

namespace Equip.Tests.Api;

/// REST and the hub answer refusals from one table: every refusal the domain and the
/// infrastructure can raise has its row, and every row's hub code is one the protocol names.
public class RefusalTableTests
{
    [Fact]
    public void EveryDataspaceExceptionHasARowWithAClientErrorAndAProtocolCode()
    {
        var raised = new[] { typeof(DataspaceException).Assembly, typeof(ServiceStoppingException).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(DataspaceException).IsAssignableFrom(t) && !t.IsAbstract)
            .ToList();
        Assert.NotEmpty(raised);
        Assert.Empty(raised.Except(Refusals.Known).Select(t => t.Name));

        var codes = typeof(HubErrors).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        foreach (var type in Refusals.Known)
        {
            var refusal = Refusals.Of((Exception)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type))!;
            Assert.Contains(refusal.HubCode, codes);
            Assert.InRange(refusal.Status, 400, 599);
            Assert.False(string.IsNullOrWhiteSpace(refusal.Title));
        }
    }
}
