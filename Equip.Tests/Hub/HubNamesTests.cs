using System.Reflection;
using Equip.Protocol;
using Equip.Web.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Tests.Hub;

/// The hub's method names come from Equip.Protocol, which the .NET client uses too: every public
/// hub method is named by a HubNames constant, and every method constant names a hub method.
public class HubNamesTests
{
    private static readonly string[] Callbacks = [HubNames.Path, HubNames.Snapshot, HubNames.Changes, HubNames.Values, HubNames.ValuesApplied];

    [Fact]
    public void EveryHubMethodIsNamedFromTheProtocolAndEveryNameHasItsMethod()
    {
        var methods = typeof(DataspaceHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(DataspaceHub.OnConnectedAsync) or nameof(DataspaceHub.OnDisconnectedAsync)))
            .ToList();
        var unnamed = methods.Where(m => m.GetCustomAttribute<HubMethodNameAttribute>() is null).Select(m => m.Name).ToList();
        Assert.Empty(unnamed);
        var named = methods.Select(m => m.GetCustomAttribute<HubMethodNameAttribute>()!.Name).Order().ToList();
        var constants = typeof(HubNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Except(Callbacks)
            .Order()
            .ToList();
        Assert.Equal(constants, named);
    }
}
