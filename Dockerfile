# Equip server image.
#
#   docker build -t equip .
#   docker run -d --name equip -p 8080:8080 -p 1883:1883 -v equip-data:/data equip
#
# The embedded SQLite store lives in /data (a volume). To use PostgreSQL instead:
#
#   docker run -d --name equip -p 8080:8080 \
#     -e Equip__Database__Provider=Postgres \
#     -e "Equip__Database__ConnectionString=Host=db;Database=equip;Username=equip;Password=secret" \
#     equip
#
# Any other setting works the same way (Equip__Section__Key=value); see docs/configuration.md.

# ---- build ----------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Project files first, so that the restore layer is reused while only source files change.
COPY Equip.sln Directory.Build.props Directory.Packages.props ./
COPY Equip.Domain/Equip.Domain.csproj Equip.Domain/
COPY Equip.Infrastructure/Equip.Infrastructure.csproj Equip.Infrastructure/
COPY Equip.Web/Equip.Web.csproj Equip.Web/
COPY Equip.Protocol/Equip.Protocol.csproj Equip.Protocol/
COPY Equip.Mqtt/Equip.Mqtt.csproj Equip.Mqtt/
RUN dotnet restore Equip.Web/Equip.Web.csproj

# Then the whole tree: the static files are in the top-level wwwroot/, which Equip.Web.csproj
# links in, so copying only Equip.Web/ would leave them out.
COPY . .
RUN dotnet publish Equip.Web/Equip.Web.csproj -c Release -o /app --no-restore

# ---- runtime --------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./

ENV ASPNETCORE_URLS=http://+:8080 \
    Equip__Mqtt__Address=0.0.0.0 \
    Equip__DataDirectory=/data

# Run as the image's unprivileged 'app' user; /data must be writable by it (a named volume
# inherits this ownership; a bind-mounted host directory must be writable by uid $APP_UID, 1654).
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data
VOLUME /data
USER $APP_UID

EXPOSE 8080 1883
ENTRYPOINT ["dotnet", "Equip.Web.dll"]
