using Concur.Threading.Internal;

namespace Concur.Tests.Threading;

/// <summary>The internal toolbox every blocking call shares: the one timeout rule and the one remaining-time computation.</summary>
public sealed class ToolboxTests
{
    public static TheoryData<TimeSpan> AllowedTimeouts => new()
    {
        TimeSpan.Zero,
        TimeSpan.FromTicks(1),
        TimeSpan.FromSeconds(5),
        Timeouts.Longest,
        Timeout.InfiniteTimeSpan,
    };

    public static TheoryData<TimeSpan> RefusedTimeouts => new()
    {
        TimeSpan.FromTicks(-1),
        TimeSpan.FromMilliseconds(-2),
        TimeSpan.MinValue,
        Timeouts.Longest + TimeSpan.FromMilliseconds(1),
        TimeSpan.MaxValue,
    };

    [Theory]
    [MemberData(nameof(AllowedTimeouts))]
    public void Validate_ZeroPositiveUpToLongestOrInfinite_Accepted(TimeSpan timeout)
    {
        Timeouts.Validate(timeout, nameof(timeout));
        Timeouts.Validate((TimeSpan?)timeout, nameof(timeout));
    }

    [Fact]
    public void Validate_Null_AcceptedAsNoLimit() => Timeouts.Validate((TimeSpan?)null, "deadline");

    [Theory]
    [MemberData(nameof(RefusedTimeouts))]
    public void Validate_OtherNegativeOrTooLong_ThrowsNamingTheParameterAndTheFix(TimeSpan timeout)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Timeouts.Validate(timeout, "wait"));
        Assert.Equal("wait", ex.ParamName);
        Assert.Contains("Timeout.InfiniteTimeSpan", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deadline_NullOrInfinite_NeverRunsOut()
    {
        foreach (var deadline in new[] { Deadline.Start(null), Deadline.Start(Timeout.InfiniteTimeSpan) })
        {
            Assert.True(deadline.IsInfinite);
            Assert.Equal(Timeout.InfiniteTimeSpan, deadline.Remaining);
            Assert.Equal(Timeout.Infinite, deadline.RemainingMilliseconds);
        }
    }

    [Fact]
    public void Deadline_Zero_HasRunOutAtOnce()
    {
        var deadline = Deadline.Start(TimeSpan.Zero);
        Assert.False(deadline.IsInfinite);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
        Assert.Equal(0, deadline.RemainingMilliseconds);
    }

    [Fact]
    public void Deadline_Finite_CountsDownFromItsStartAndNeverBelowZero()
    {
        var deadline = Deadline.Start(TimeSpan.FromMilliseconds(1));
        Assert.True(deadline.Remaining <= TimeSpan.FromMilliseconds(1));
        Assert.InRange(deadline.RemainingMilliseconds, 0, 1);

        var spinner = default(SpinWait);
        while (deadline.Remaining > TimeSpan.Zero)
        {
            spinner.SpinOnce();
        }
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
        Assert.Equal(0, deadline.RemainingMilliseconds);
    }

    [Fact]
    public void Deadline_RemainingMilliseconds_RoundsUpSoAWaitNeverEndsEarly()
    {
        var deadline = Deadline.Start(TimeSpan.FromHours(1));
        Assert.Equal(3_600_000, deadline.RemainingMilliseconds);
    }
}
