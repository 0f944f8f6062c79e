using System.Reflection;
using Concur.Cli;
using Concur.Lessons;

namespace Concur.Tests.Lessons;

[Collection(LessonCollection.Name)]
public sealed class LessonCatalogTests
{
    [Fact]
    public void All_EveryLessonClass_IsListedOnceWithAUniqueKebabCaseName()
    {
        var declared = typeof(Lesson).Assembly.GetTypes()
            .Select(t => t.GetProperty("Lesson", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p is not null && p.PropertyType == typeof(Lesson))
            .Select(p => (Lesson)p!.GetValue(null)!)
            .ToHashSet();

        Assert.Equal(declared.Count, LessonCatalog.All.Count);
        Assert.True(declared.SetEquals(LessonCatalog.All));
        Assert.Equal(LessonCatalog.All.Count, LessonCatalog.All.Select(l => l.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(LessonCatalog.All, l => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", l.Name));
        Assert.DoesNotContain(LessonCatalog.All, l => l.Name == "all");
    }

    [Fact]
    public void Find_AnyCase_FindsTheLesson()
    {
        Assert.Same(TransferDeadlock.Lesson, LessonCatalog.Find("Transfer-Deadlock"));
        Assert.Null(LessonCatalog.Find("no-such-lesson"));
    }

    [Fact]
    public void LessonList_Cli_PrintsEveryLessonNameAndPythonFile()
    {
        var (exit, output, error) = RunCli("lesson", "list");

        Assert.True(exit == 0, error);
        Assert.All(LessonCatalog.All, l => Assert.Contains(l.Name, output, StringComparison.Ordinal));
        Assert.Contains("processtest1.py", output, StringComparison.Ordinal);
        Assert.Contains("ThreadPoolExp3.py", output, StringComparison.Ordinal);
    }

    [Fact]
    public void LessonRun_Cli_PrintsTheLessonsOutput()
    {
        var (exit, output, error) = RunCli("lesson", "run", "thread-join");

        Assert.True(exit == 0, error);
        Assert.Equal("1 2 3 4 5 6 7 8 9 10 11 12 13 14", output.Trim());
    }

    [Fact]
    public void LessonRun_UnknownName_FailsAndSaysHowToFindTheNames()
    {
        var (exit, _, error) = RunCli("lesson", "run", "no-such-lesson");

        Assert.Equal(1, exit);
        Assert.Contains("no-such-lesson", error, StringComparison.Ordinal);
        Assert.Contains("concur lesson list", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LessonRun_All_RunsEveryLessonInOrder()
    {
        var output = LessonHarness.RunCli("all");

        var headers = LessonHarness.Lines(output).Where(l => l.StartsWith("=== ", StringComparison.Ordinal)).ToList();
        Assert.Equal(LessonCatalog.All.Select(l => $"=== {l.Name} ({l.PythonFile}) ==="), headers);
        Assert.Contains("hello zhang", output, StringComparison.Ordinal); // a child process's own print
        Assert.Contains("Deadlock:", output, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) RunCli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = ConcurApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
