namespace Equip.Testing;

/// The admin key the servers that tests, the bench and the scenarios start are configured with.
public static class TestKeys
{
    public const string Admin = "eqa_test-admin-key-not-for-production";
}
