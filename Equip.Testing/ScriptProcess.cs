using System.Diagnostics;

namespace Equip.Testing;

/// A program outside the solution (a script of the docs' examples, a Debian tool) run as a process
/// of its own, its output captured, so that a test can wait for what it says and stop it.
public sealed class ScriptProcess : ChildProcess
{
    private ScriptProcess(ProcessStartInfo start)
        : base(start)
    {
    }

    public static ScriptProcess Start(string program, params string[] arguments) => new(new ProcessStartInfo(program, arguments));
}
