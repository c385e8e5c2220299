using Equip.Infrastructure.Persistence;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Dataspace;

/// Bounds the dataspace reads that run at once (Equip:Database:MaxConcurrentReads).
internal sealed class ReadGate(IOptions<DatabaseOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentReads);

    public async Task<T> RunAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await read();
        }
        finally
        {
            _slots.Release();
        }
    }
}
