using Equip.Domain.Access;
using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace;

/// Sets item values, each with its own revision, in place on the live items (see
/// WriteContext.SetValue). A value that cannot be set is refused alone; the others are applied.
/// The checks of the path every value takes allocate nothing: a refusal is made only when one
/// happens. The caller learns the outcome from the answer, or from OnApplied on the writer's
/// thread, so that a device's values need not wait for one another.
/// Refused holds the values the caller's checks refused already, in index order.
internal sealed class SetValuesOperation(SetValues command, ItemLimits limits, List<ValueRefusal>? refused) : MemoryOperation<ValuesOutcome>
{
    /// Refuses the whole call (it broke a rule as a whole) when its turn comes.
    public DataspaceException? RefuseAll { get; init; }

    protected override ValuesOutcome Run(WriteContext context)
    {
        if (RefuseAll is { } refusal)
        {
            throw refusal;
        }
        var values = command.Values;
        var revisions = new long[values.Count];
        var author = context.Author(command.By); // fencing refuses the whole call
        var before = refused?.Count ?? 0;
        for (int i = 0, next = 0; i < values.Count; i++)
        {
            if (next < before && refused![next].Index == i)
            {
                next++;
                continue;
            }
            var (id, value) = values[i];
            if (RefusalOf(context, id, value) is { } refusedValue)
            {
                (refused ??= []).Add(new ValueRefusal(i, refusedValue));
                continue;
            }
            var item = context.ItemForValue(id)!;
            if (command.SkipUnchanged && context.ValueOf(item) is { } held && JsonValues.AreEqual(held, value))
            {
                continue;
            }
            revisions[i] = context.SetValue(item, value, command.By, author);
        }
        refused?.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new ValuesOutcome(revisions, refused ?? []);
    }

    // OnApplied before the answer: a caller that awaited the answer finds OnApplied done.
    public override void Succeed()
    {
        try
        {
            command.OnApplied?.Invoke(Result!);
        }
        finally
        {
            base.Succeed();
        }
    }

    public override void Fail(Exception error)
    {
        try
        {
            command.OnApplied?.Invoke(ValuesOutcome.RefusedAll(command.Values.Count, error));
        }
        finally
        {
            base.Fail(error);
        }
    }

    private DataspaceException? RefusalOf(WriteContext context, Guid id, System.Text.Json.JsonElement value)
    {
        if (context.ItemForValue(id) is not { } item)
        {
            return new ItemNotFoundException(id);
        }
        if (command.By is { } by && item.Responsible != by.PeerId)
        {
            return new NotResponsibleException(item.Id, by.PeerId, item.Responsible);
        }
        if (!item.HasFieldsObject)
        {
            return new InvalidItemException($"Item {id} has no fields object to hold a value.");
        }
        if (item.FieldsBytesWith(value) > limits.MaxFieldsBytes)
        {
            return new LimitReachedException(nameof(ItemLimits.MaxFieldsBytes),
                $"Item {id}'s fields would be over {limits.MaxFieldsBytes} bytes of JSON with this value.");
        }
        return null;
    }
}
