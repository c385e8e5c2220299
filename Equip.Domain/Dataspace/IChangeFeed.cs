namespace Equip.Domain.Dataspace;

/// In-process notification of committed changes, in revision order, for live views and the hub.
public interface IChangeFeed
{
    IDisposable Subscribe(Action<IReadOnlyList<ChangeEvent>> onCommitted);
}
