using System.CommandLine;
using Concur.Lessons;
using Spectre.Console;

namespace Concur.Cli.Lessons;

/// <summary>Builds <c>concur lesson list</c> and <c>concur lesson run &lt;name&gt;|all</c>.</summary>
internal static class LessonCommand
{
    /// <summary>Creates the <c>lesson</c> command.</summary>
    /// <param name="output">Where results go (the console in normal use).</param>
    /// <param name="error">Where errors go.</param>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var lesson = new Command("lesson", "The lesson's Python programs, as C# on Concur.");
        lesson.Subcommands.Add(CreateList(output));
        lesson.Subcommands.Add(CreateRun(output, error));
        return lesson;
    }

    private static Command CreateList(TextWriter output)
    {
        var list = new Command("list", "List every lesson program, in the lesson's order.");
        list.SetAction(_ =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            var table = new Table()
                .AddColumn(new TableColumn("Name").NoWrap()) // names must stay whole: they are what `lesson run` takes
                .AddColumn("Python file")
                .AddColumn("Summary");
            foreach (var l in LessonCatalog.All)
            {
                table.AddRow(Markup.Escape(l.Name), Markup.Escape(l.PythonFile), Markup.Escape(l.Summary));
            }
            console.Write(table);
            console.MarkupLine("Run one with [blue]concur lesson run <name>[/], or all of them with [blue]concur lesson run all[/].");
            return 0;
        });
        return list;
    }

    private static Command CreateRun(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "The lesson's name (see `concur lesson list`), or `all`." };
        var run = new Command("run", "Run a lesson program and print its output.") { name };
        run.SetAction((parse, cancellationToken) =>
        {
            var requested = parse.GetValue(name)!;
            if (string.Equals(requested, "all", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var l in LessonCatalog.All)
                {
                    output.WriteLine($"=== {l.Name} ({l.PythonFile}) ===");
                    l.Run(output, cancellationToken);
                    output.WriteLine();
                }
                return Task.FromResult(0);
            }
            var lesson = LessonCatalog.Find(requested);
            if (lesson is null)
            {
                error.WriteLine($"There is no lesson named '{requested}'. `concur lesson list` shows the names; `all` runs every lesson.");
                return Task.FromResult(1);
            }
            lesson.Run(output, cancellationToken);
            return Task.FromResult(0);
        });
        return run;
    }
}
