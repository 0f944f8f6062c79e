namespace Concur.Lessons;

/// <summary>Every program of the lesson, in the order the lesson presents them.</summary>
public static class LessonCatalog
{
    /// <summary>Gets every lesson program in the lesson's order.</summary>
    public static IReadOnlyList<Lesson> All { get; } =
    [
        // 课堂：多进程
        ProcessTest1.Lesson,
        ProcessTest2.Lesson,
        ProcessTest3.Lesson,
        Pool.Lesson,
        PoolMap.Lesson,
        PrimeNoWithFuture.Lesson,
        PrimeWithFuture.Lesson,
        // 进程间的通信
        PingPong1.Lesson,
        PingPong2.Lesson,
        PingPongShared.Lesson,
        PingPongCondition.Lesson,
        QueueCommu1.Lesson,
        QueueCommu2.Lesson,
        MultiTask1.Lesson,
        MultiTask0.Lesson,
        // 多线程: threading
        ThreadJoin.Lesson,
        MusicMovieJoinEach.Lesson,
        MusicMovie.Lesson,
        MyThread.Lesson,
        // 同步锁Lock
        PingPongThreadJoin.Lesson,
        BankWithdrawal.Lesson,
        BankWithdrawalWithLock.Lesson,
        BankWithdrawalForgotRelease.Lesson,
        // 死锁
        TransferDeadlock.Lesson,
        // 线程通信: Condition
        PutterTaker.Lesson,
        PutterTakerWith.Lesson,
        ConditionAccount.Lesson,
        AccountPutGet.Lesson,
        // queue
        QueuePutterTaker.Lesson,
        QueueTaskDone.Lesson,
        // Event
        EventServerReady.Lesson,
        EventWaitTimeout.Lesson,
        EventRedis.Lesson,
        EventRedisTimeout.Lesson,
        // Thread-Local Data
        ThreadLocalData.Lesson,
        PingPongThreadLocal.Lesson,
        // ThreadPoolExecutor
        ThreadPoolSubmit.Lesson,
        ThreadPoolWith.Lesson,
        ThreadPoolExp3.Lesson,
        PrimeWithThreadPool.Lesson,
    ];

    /// <summary>Finds a lesson by its <see cref="Lesson.Name"/> (case-insensitive).</summary>
    /// <param name="name">The lesson's name, as listed by <c>concur lesson list</c>.</param>
    /// <returns>The lesson, or <see langword="null"/> if there is none of that name.</returns>
    public static Lesson? Find(string name) =>
        All.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
}
