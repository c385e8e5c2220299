using System.Net;
using System.Net.Sockets;

namespace Equip.Client;

/// Whether a failed connection attempt says the server is restarting: nothing listens at its
/// address (the connection is refused), or it answers 503 because it is stopping. Such an attempt
/// costs the server nothing, so the client retries at its short restart pace.
internal static class ServerRestarting
{
    public static bool Says(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                or HttpRequestException { StatusCode: HttpStatusCode.ServiceUnavailable })
            {
                return true;
            }
        }
        return false;
    }
}
