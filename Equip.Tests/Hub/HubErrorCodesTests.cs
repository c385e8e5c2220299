using System.Reflection;
using Equip.Protocol;

namespace Equip.Tests.Hub;

/// Every code the protocol names is read back from the texts it arrives in: a Close's error
/// ("code: ...") and a failed call's ("... HubException: code: ..."). A code added to HubErrors
/// but not to the pattern would read as no code at all, and clients would act on the wrong case.
public class HubErrorCodesTests
{
    public static TheoryData<string> Codes() =>
        [.. typeof(HubErrors).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryCodeIsReadFromACloseAndFromAFailedCall(string code)
    {
        Assert.Equal(code, HubErrors.CodeOf($"{code}: what happened."));
        Assert.Equal(code, HubErrors.CodeOf($"An unexpected error occurred invoking 'Add' on the server. HubException: {code}: what happened."));
        Assert.Null(HubErrors.CodeOf($"x{code}: inside another word"));
    }
}
