namespace Equip.Client.Components;

/// What became of a value someone else wrote into a property's item.
internal enum PropertyOffer
{
    /// The property holds that value already (an echo of its own, or a write of the same value).
    Same,

    /// The property took the value.
    Applied,

    /// The property is read-only, or the value does not convert: the item must show the real value again.
    Refused,
}
