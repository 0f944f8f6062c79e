using System.Globalization;
using System.Text.RegularExpressions;
using Concur.Lessons;
using static Concur.Tests.Lessons.LessonHarness;

namespace Concur.Tests.Lessons;

/// <summary>
/// The 多进程 half of the lesson. Lessons whose children print run through the real CLI in a separate process, so
/// that the children's output (inherited standard output, as in Python) can be checked too.
/// </summary>
[Collection(LessonCollection.Name)]
public sealed partial class ProcessLessonTests
{
    [Fact]
    public void ProcessTest1_ChildFromFunction_RunsInAnotherProcessBeforeTheParentFinishes()
    {
        var lines = Lines(RunCli("processtest1"));

        var parent = int.Parse(ParentLine().Match(lines[0]).Groups[1].Value, CultureInfo.InvariantCulture);
        var child = ChildLine().Match(lines[2]);
        Assert.True(child.Success, lines[2]);
        Assert.Equal("zhang", child.Groups[1].Value);
        Assert.NotEqual(parent, int.Parse(child.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(["hello zhang", "Parent process fininshed."], lines[3..]);
    }

    [Fact]
    public void ProcessTest2_EightChildren_EachRunsOnceAndAllBeforeTheParentFinishes()
    {
        var lines = Lines(RunCli("processtest2"));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"process {i}"), lines.Where(l => l.StartsWith("process ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal("Parent process fininshed.", lines[^1]);
        Assert.InRange(lines.Count(l => l.StartsWith("child process name is: ChildProcess-", StringComparison.Ordinal)), 0, 8);
    }

    [Fact]
    public void ProcessTest3_Subclass_RunOverrideRunsInTheChildWithItsName()
    {
        var lines = Lines(RunCli("processtest3"));

        var child = ChildLine().Match(lines[2]);
        Assert.True(child.Success, lines[2]);
        Assert.Equal("zhang", child.Groups[1].Value);
        Assert.Equal(["hello zhang", "Parent process fininshed."], lines[3..]);
    }

    [Fact]
    public void Pool_EightApplyAsyncOnFiveProcesses_AllRunBeforeJoinReturns()
    {
        var lines = Lines(RunCli("pool"));

        var running = lines.Select(l => PoolRunning().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i.ToString(CultureInfo.InvariantCulture)), running.Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        Assert.InRange(running.Select(m => m.Groups[2].Value).Distinct().Count(), 1, 5);
        Assert.Equal(8, lines.Count(l => l.EndsWith(" seconds.", StringComparison.Ordinal)));
        Assert.Equal("All child process finished.", lines[^1]);
    }

    [Fact]
    public void PoolMap_ThreeInputs_SumsInInputOrder()
    {
        var output = Run(PoolMap.Lesson);

        Assert.Equal(["3", "15", "36"], Lines(output));
    }

    [Fact]
    public void PrimeWithFuture_ProcessPoolExecutor_SameAnswersAsTheLesson()
    {
        var lines = Lines(Run(PrimeWithFuture.Lesson));

        Assert.Equal(ThreadLessonTests.ExpectedPrimeLines, lines[..6]);
    }

    [Fact]
    public void PingPong1_TwoProcesses_EachHasItsOwnCounter()
    {
        var output = RunCli("pingpong1");

        // Two processes, two counters: 5 of each word (threads sharing one counter print about 5 in all).
        Assert.Equal(5, Count(output, "Ping"));
        Assert.Equal(5, Count(output, "Pong"));
        Assert.Contains("counter in the parent process: 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PingPong2_JoinBeforeSecondStart_AllPingsThenAllPongs()
    {
        var lines = Lines(RunCli("pingpong2"));

        Assert.Equal(["PingPingPingPingPingPongPongPongPongPong", "counter in the parent process: 0"], lines);
    }

    [Fact]
    public void PingPongShared_OneSharedCounterUnderItsLock_FiveWordsInAll()
    {
        var output = RunCli("pingpong-shared");

        // One counter in shared memory, checked and incremented under its lock: 5 words in all, never 6.
        Assert.Equal(5, Count(output, "Ping") + Count(output, "Pong"));
        Assert.Contains("counter in the parent process: 5", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PingPongCondition_TwoProcessesTakeTurns_StrictlyAlternating()
    {
        var lines = Lines(RunCli("pingpong-condition"));

        // The token decides who prints, whichever child starts first: Ping, Pong, Ping, ... five rounds each.
        Assert.Equal(string.Concat(Enumerable.Repeat("PingPong", 5)), lines[0]);
        Assert.Equal("the token is back with Ping: 0", lines[1]);
    }

    [Fact]
    public void MultiTask1_EightProcesses_PartialSumsAddUpToTheWholeSum()
    {
        var lines = Lines(Run(MultiTask1.Lesson));

        Assert.Equal("5000000050000000", lines[0]);
        Assert.StartsWith("Execution time: ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TaskHandler_Slice_PutsItsSumOnTheQueue_BothEndsIncluded()
    {
        using var queue = new ProcessQueue<long>();
        MultiTask1.TaskHandler(1, 4, queue);
        MultiTask1.TaskHandler(5, 4, queue);
        Assert.Equal(1 + 2 + 3 + 4, queue.Get(TimeSpan.Zero));
        Assert.Equal(0, queue.Get(TimeSpan.Zero));
    }

    [Fact]
    public void QueueCommu1_ChildPutsHello_ParentGetsIt()
    {
        var lines = Lines(RunCli("queuecommu1"));

        var parent = ProcessLine().Match(lines.Single(l => l.EndsWith("进程开始从队列这读取数据...", StringComparison.Ordinal)));
        var child = ProcessLine().Match(lines.Single(l => l.EndsWith("进程向队列中写入数据...", StringComparison.Ordinal)));
        Assert.True(parent.Success && child.Success, string.Join('|', lines));
        Assert.NotEqual(parent.Groups[1].Value, child.Groups[1].Value);
        Assert.Equal("hello", lines[^1]);
    }

    [Fact]
    public void QueueCommu2_WriterAndReaderChildren_EveryItemReadInOrder_ThenTheReaderIsTerminated()
    {
        var lines = Lines(RunCli("queuecommu2"));

        Assert.Equal(["Put A to queue...", "Put B to queue...", "Put C to queue..."], lines.Where(l => l.StartsWith("Put ", StringComparison.Ordinal)));
        Assert.Equal(["Get A from queue.", "Get B from queue.", "Get C from queue."], lines.Where(l => l.StartsWith("Get ", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.StartsWith("Process to write: ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("Process to read: ", StringComparison.Ordinal));
        Assert.Equal("reader terminated (exit code -15)", lines[^1]);
    }

    [GeneratedRegex("^\\((\\d+)\\) ")]
    private static partial Regex ProcessLine();

    [GeneratedRegex("^Parent process (\\d+)\\.$")]
    private static partial Regex ParentLine();

    [GeneratedRegex("^Run child process (\\S+) \\((\\d+)\\)\\.\\.\\.$")]
    private static partial Regex ChildLine();

    [GeneratedRegex("^child process (\\d) Running \\((\\d+)\\)$")]
    private static partial Regex PoolRunning();
}
