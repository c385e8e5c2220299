namespace Equip.Infrastructure.Peers;

public sealed class PeerOptions
{
    public const string Section = "Equip:Peers";

    /// How long a peer whose association ended stays reconnecting before its process-bound items
    /// are deleted (reason bound). Zero: at once, as the original EQUIP did.
    public TimeSpan DisconnectGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// How often the server pings each connection (SignalR keep-alive).
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// A connection silent for this long is closed: a half-open TCP connection is noticed then.
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// How often reconnecting peers are checked for the end of their grace period.
    public TimeSpan ReapInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// How many of the latest peer transitions (connected, reconnecting, gone) the process keeps
    /// for the dashboard's recovery timeline.
    [System.ComponentModel.DataAnnotations.Range(0, 100_000)]
    public int TransitionHistory { get; set; } = 2000;
}
