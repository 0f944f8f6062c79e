using System.CommandLine;
using Concur.Cli.Bench;

namespace Concur.Cli;

/// <summary>The <c>concur</c> command line: wires the commands; the logic lives in each command's folder.</summary>
internal static class ConcurApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/>.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Concur: Python's processes-and-threads toolbox for .NET.")
        {
            BenchCommand.Create(output),
        };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
