using System.CommandLine;
using System.CommandLine.Help;
using Concur.Cli.Bench;
using Concur.Cli.Lessons;

namespace Concur.Cli;

/// <summary>The <c>concur</c> command line: wires the commands; the logic lives in each command's folder.</summary>
internal static class ConcurApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/>.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, output, error, PythonLocator.FindOnPath);

    /// <summary>Parses <paramref name="args"/> and runs the command, finding python3 with <paramref name="findPython"/> (tests).</summary>
    /// <returns>The process exit code.</returns>
    internal static int Run(string[] args, TextWriter output, TextWriter error, Func<string?> findPython)
    {
        // A named root rather than RootCommand, whose name would be the assembly's (Concur.Cli): the tool is "concur".
        var root = new Command("concur", "Concur: Python's processes-and-threads toolbox for .NET.")
        {
            new HelpOption(),
            new VersionOption(),
            BenchCommand.Create(output, findPython),
            LessonCommand.Create(output, error),
            Node.NodeCommand.Create(output, error),
        };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
