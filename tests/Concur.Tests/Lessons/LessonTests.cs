using Concur.Lessons;

namespace Concur.Tests.Lessons;

public sealed class LessonTests
{
    [Theory]
    [InlineData("", "x.py", "summary")]
    [InlineData("name", " ", "summary")]
    [InlineData("name", "x.py", "")]
    public void Constructor_EmptyText_Throws(string name, string pythonFile, string summary)
    {
        Assert.ThrowsAny<ArgumentException>(() => new Lesson(name, pythonFile, summary, (_, _) => { }));
    }

    [Fact]
    public void Constructor_NullRun_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new Lesson("name", "x.py", "summary", null!));
    }

    [Fact]
    public void Run_NullOutput_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ThreadJoin.Lesson.Run(null!));
    }

    [Fact]
    public void Run_ProgramPrintsFromSeveralThreads_EveryLineArrivesWhole()
    {
        var lesson = new Lesson("t", "t.py", "s", (output, _) =>
        {
            var threads = Enumerable.Range(0, 4).Select(n => new Thread(() =>
            {
                for (var i = 0; i < 200; i++)
                {
                    output.WriteLine($"thread {n} line {i}");
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(Support.Bounded.Join);
        });

        var lines = lesson.RunToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(800, lines.Length);
        Assert.All(lines, l => Assert.Matches("^thread [0-3] line \\d+$", l));
    }

    [Fact]
    public void ToString_NameAndPythonFile()
    {
        Assert.Equal("pingpong1 (pingpang1.py)", PingPong1.Lesson.ToString());
    }
}
