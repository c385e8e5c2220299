using Equip.Infrastructure;
using Equip.Web;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // wwwroot and appsettings beside the dll
});

// Serve wwwroot from the repository when run from a build (any environment); a no-op once published.
builder.WebHost.UseStaticWebAssets();
builder.AddEquipInfrastructure();
builder.AddEquipWeb();

var app = builder.Build();
app.UseEquipWeb();
app.Run();

public partial class Program;
