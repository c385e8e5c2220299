using Microsoft.Extensions.Logging;
using MQTTnet.Diagnostics.Logger;

namespace Equip.Mqtt;

/// MQTTnet's own log (a connection it closes on an error, a packet it cannot read) written to the
/// server's log under the category "MQTTnet": its warnings and errors, as warnings, since what
/// MQTTnet reports is a client's connection ending, not the server failing. Off by default
/// (Logging:LogLevel:MQTTnet is None in appsettings.json): while it is on, MQTTnet prepares a
/// log line for every packet, which costs each message CPU (docs/configuration.md).
internal sealed class MqttNetLog(ILoggerFactory loggers) : IMqttNetLogger
{
    private readonly ILogger _logger = loggers.CreateLogger("MQTTnet");

    public bool IsEnabled => _logger.IsEnabled(LogLevel.Warning);

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        if (logLevel is MqttNetLogLevel.Warning or MqttNetLogLevel.Error)
        {
            var text = parameters is { Length: > 0 } ? string.Format(System.Globalization.CultureInfo.InvariantCulture, message, parameters) : message;
            _logger.LogWarning(exception, "{Source}: {Message}", source, text);
        }
    }
}
