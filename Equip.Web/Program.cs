using Equip.Infrastructure;
using Equip.Web;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // wwwroot and appsettings beside the dll
});

builder.AddEquipInfrastructure();
builder.AddEquipWeb();

var app = builder.Build();
app.UseEquipWeb();
app.Run();

public partial class Program;
