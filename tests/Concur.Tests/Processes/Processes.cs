using System.Globalization;

namespace Concur.Tests.Processes;

/// <summary>Looks at processes through /proc, so that zombies (a dead process not yet reaped) count as dead.</summary>
internal static class Processes
{
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The state follows the parenthesised command name.
            char state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
