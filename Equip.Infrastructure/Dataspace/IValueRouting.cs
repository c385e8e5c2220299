namespace Equip.Infrastructure.Dataspace;

/// Carries the values a batch changed on to where they go (the links), inside the same batch.
internal interface IValueRouting
{
    /// Called once the batch's operations ran; firstEvent is the first event they recorded.
    void Carry(WriteContext context, int firstEvent);
}
