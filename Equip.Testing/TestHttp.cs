namespace Equip.Testing;

/// HTTP clients for a server that a test, the bench or a scenario started: they send the admin key.
public static class TestHttp
{
    public static HttpClient Client(Uri address, TimeSpan timeout, string? key = TestKeys.Admin)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = timeout };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }
        return client;
    }
}
