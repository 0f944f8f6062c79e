using System.Reflection;
using System.Runtime.Serialization;
using Concur.Platform;
using Concur.Processes.Internal;
using Concur.Serialization;

namespace Concur;

/// <summary>
/// Runs a function in a new .NET process: Python's <c>multiprocessing.Process</c>. Give it a delegate, or subclass it
/// and override <see cref="Run"/>; then <see cref="Start"/> and <see cref="Join(TimeSpan, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para>
/// The delegate follows the process pool's rules (a static method, or a lambda whose captured variables are
/// serializable). A subclass travels serialized by its own type when <see cref="Start"/> is called: every field it
/// declares, private ones included, is its state in the child (mark one <c>[NonSerialized]</c> to leave it behind);
/// the members of <see cref="ChildProcess"/> itself do not travel.
/// </para>
/// <para>
/// A <see cref="Connection"/> (a pipe end, or an end from a listener) captured, passed as the argument or held in a
/// field travels as its handle, not as data: the child gets a working end over the same socket (Linux only). Keep it
/// open in the parent until the child has it; each process then closes its own copy.
/// </para>
/// <para>
/// The child writes to the parent's console. If the function throws, the child prints the exception to standard
/// error and exits with code 1, as Python does. Non-daemon children are joined when the parent exits normally;
/// daemon children are killed then. Either kind dies if the parent process dies (even by SIGKILL).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var child = new ChildProcess(() => Console.WriteLine($"hello from {ChildProcess.CurrentProcessName}"));
/// child.Start();
/// child.Join();
/// </code>
/// </example>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public class ChildProcess
{
    private static readonly Lock s_registry = new();
    private static readonly List<ChildProcess> s_children = [];
    private static int s_lastNumber;
    private static bool s_exitHandlerInstalled;

    private readonly Delegate? _target;
    private readonly Func<FunctionRef, byte[], OutgoingFrame>? _buildFrame;
    private readonly Lock _sync = new();
    private SpawnedProcess? _spawned;
    private ExitStatus? _exitStatus;
    private bool _daemon;
    private string _name;

    /// <summary>Initializes a child process that will run <paramref name="target"/>.</summary>
    /// <param name="target">The function to run in the child: a static method or a lambda whose captured variables are serializable.</param>
    /// <param name="name">The child's name; <see langword="null"/> (the default) means <c>ChildProcess-N</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="target"/> cannot be sent to another process.</exception>
    public ChildProcess(Action target, string? name = null)
        : this(name)
    {
        ArgumentNullException.ThrowIfNull(target);
        FunctionRef.From(target, nameof(target));
        _target = target;
    }

    private ChildProcess(Delegate target, Func<FunctionRef, byte[], OutgoingFrame> buildFrame, string? name)
        : this(name)
    {
        _target = target;
        _buildFrame = buildFrame;
    }

    /// <summary>
    /// Creates a child process that will run <paramref name="target"/>(<paramref name="argument"/>): Python's
    /// <c>Process(target=f, args=(x,))</c>. The argument travels serialized by its declared type.
    /// </summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <param name="target">The function to run in the child.</param>
    /// <param name="argument">Its argument.</param>
    /// <param name="name">The child's name; <see langword="null"/> (the default) means <c>ChildProcess-N</c>.</param>
    /// <returns>The child process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="target"/> or <paramref name="argument"/> cannot be sent to another process.</exception>
    public static ChildProcess Create<T>(Action<T> target, T argument, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        FunctionRef function = FunctionRef.From(target, nameof(target));
        OutgoingFrame Build(FunctionRef f, byte[] state) => CallFrames.Build(FrameKind.RunMain, 0, f, state, argument, nameof(argument));
        _ = Build(function, CallFrames.TargetState(function, target.Target, nameof(target))); // Fail now, not at Start.
        return new ChildProcess(target, Build, name);
    }

    /// <summary>Initializes a child process whose body is the subclass's <see cref="Run"/> override.</summary>
    /// <param name="name">The child's name; <see langword="null"/> (the default) means <c>ChildProcess-N</c>.</param>
    protected ChildProcess(string? name = null)
    {
        _name = name ?? $"ChildProcess-{Interlocked.Increment(ref s_lastNumber)}";
    }

    /// <summary>Gets the name of the current process: <c>MainProcess</c>, or in a child the name its parent gave it.</summary>
    public static string CurrentProcessName => CurrentProcess.Name;

    /// <summary>Gets the process id of the current process.</summary>
    public static int CurrentProcessId => Environment.ProcessId;

    /// <summary>Gets or sets the child's name (used in messages and as <see cref="CurrentProcessName"/> in the child).</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    [IgnoreDataMember]
    public string Name
    {
        get => _name;
        set => _name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Gets or sets a value indicating whether the child is a daemon: killed when the parent exits, instead of
    /// joined. The default is <see langword="false"/>. Set it before <see cref="Start"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The child has already been started.</exception>
    [IgnoreDataMember]
    public bool Daemon
    {
        get => _daemon;
        set
        {
            if (_spawned is not null)
            {
                throw new InvalidOperationException("Daemon must be set before Start.");
            }
            _daemon = value;
        }
    }

    /// <summary>Gets the child's process id, or <see langword="null"/> before <see cref="Start"/>.</summary>
    [IgnoreDataMember]
    public int? Pid => _spawned?.Process.Id;

    /// <summary>Gets a value indicating whether the child has been started and has not exited yet.</summary>
    [IgnoreDataMember]
    public bool IsAlive => _spawned is not null && Poll() is null;

    /// <summary>
    /// Gets the child's exit code once it has exited: its own exit code, or minus the signal number that killed it
    /// (as in Python: -15 after <see cref="Terminate"/>, -9 after <see cref="Kill"/>); <see langword="null"/> while it
    /// runs or before <see cref="Start"/>.
    /// </summary>
    [IgnoreDataMember]
    public int? ExitCode => Poll()?.PythonExitCode;

    /// <summary>Gets or sets a value indicating whether the child's standard output is captured (tests only).</summary>
    internal bool CaptureOutput { get; set; }

    /// <summary>Gets the child's standard output when <see cref="CaptureOutput"/> is set.</summary>
    internal StreamReader? StandardOutput => _spawned?.Process.StandardOutput;

    /// <summary>Gets the children started by this process that are still running (and forgets those that ended).</summary>
    /// <returns>The live children.</returns>
    public static IReadOnlyList<ChildProcess> ActiveChildren()
    {
        lock (s_registry)
        {
            s_children.RemoveAll(c => !c.IsAlive);
            return s_children.ToArray();
        }
    }

    /// <summary>Starts the child process. It runs the target (or <see cref="Run"/>) and exits.</summary>
    /// <exception cref="InvalidOperationException">The child was already started, or processes cannot be started from this application.</exception>
    /// <exception cref="ArgumentException">The subclass's state cannot be serialized.</exception>
    /// <exception cref="PlatformNotSupportedException">Child processes are not implemented on this operating system yet.</exception>
    public void Start()
    {
        FunctionRef function;
        byte[] targetState;
        if (_target is not null)
        {
            function = FunctionRef.From(_target, "target");
            targetState = CallFrames.TargetState(function, _target.Target, "target");
        }
        else
        {
            MethodInfo run = GetType().GetMethod(nameof(Run), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes)!;
            if (run.DeclaringType == typeof(ChildProcess))
            {
                throw new InvalidOperationException(
                    $"{GetType().Name} neither has a target nor overrides Run: pass a delegate to the constructor, or override Run.");
            }
            function = FunctionRef.ForSerializedObject(run, typeof(Action), GetType());
            targetState = CallFrames.TargetState(function, this, "this");
        }
        OutgoingFrame frame = _buildFrame is not null
            ? _buildFrame(function, targetState)
            : CallFrames.Build(FrameKind.RunMain, 0, function, targetState);
        lock (_sync)
        {
            if (_spawned is not null)
            {
                throw new InvalidOperationException($"{Name} has already been started; a child process can be started only once.");
            }
            _spawned = ProcessSpawner.Spawn(Name, dieWithParent: true, CaptureOutput);
        }
        InstallExitHandler();
        lock (s_registry)
        {
            s_children.Add(this);
        }
        try
        {
            if (ProcessTypeAllowlist.Version != 0)
            {
                _spawned.ToWorker.Write(ToWorker.AllowTypes.Current());
            }
            _spawned.ToWorker.Write(ToWorker.Define.Of(function));
            frame.WriteTo(_spawned.ToWorker);
            _spawned.ToWorker.Flush();
        }
        catch (IOException)
        {
            // The child died at once; its exit code tells the story.
        }
    }

    /// <summary>Waits until the child exits, like Python's <c>join()</c> without a timeout.</summary>
    /// <exception cref="InvalidOperationException">The child has not been started.</exception>
    public void Join() => Join(Timeout.InfiniteTimeSpan, CancellationToken.None);

    /// <summary>Waits until the child exits or <paramref name="timeout"/> passes.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting (the child keeps running).</param>
    /// <returns><see langword="true"/> if the child has exited; <see langword="false"/> on timeout (check <see cref="IsAlive"/>).</returns>
    /// <exception cref="InvalidOperationException">The child has not been started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool Join(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Task wait = JoinCore(cancellationToken);
        try
        {
            return wait.Wait(timeout, cancellationToken) && Finish();
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException oce)
        {
            throw oce;
        }
    }

    /// <summary>Completes when the child exits.</summary>
    /// <param name="cancellationToken">Stops waiting (the child keeps running).</param>
    /// <returns>A task that completes when the child has exited.</returns>
    /// <exception cref="InvalidOperationException">The child has not been started.</exception>
    public async Task JoinAsync(CancellationToken cancellationToken = default)
    {
        await JoinCore(cancellationToken).ConfigureAwait(false);
        Finish();
    }

    /// <summary>Asks the child to stop: sends SIGTERM (the child's exit code becomes -15 unless it handles the signal).</summary>
    /// <exception cref="InvalidOperationException">The child has not been started.</exception>
    public void Terminate() => Signal(Signals.SIGTERM);

    /// <summary>Kills the child at once: sends SIGKILL (its exit code becomes -9).</summary>
    /// <exception cref="InvalidOperationException">The child has not been started.</exception>
    public void Kill() => Signal(Signals.SIGKILL);

    /// <summary>Returns the name, pid and state, like Python's repr of a Process.</summary>
    /// <returns>A description of the child.</returns>
    public override string ToString() =>
        _spawned is null ? $"<{Name} initial>" : ExitCode is int code ? $"<{Name} pid={Pid} exitcode={code}>" : $"<{Name} pid={Pid} started{(Daemon ? " daemon" : string.Empty)}>";

    /// <summary>
    /// The child's body, run in the child process. The default runs the delegate given to the constructor; a subclass
    /// overrides it (the subclass's public state has been deserialized into the instance it runs on).
    /// </summary>
    protected virtual void Run() => (_target as Action)?.Invoke();

    private Task JoinCore(CancellationToken cancellationToken)
    {
        SpawnedProcess process = _spawned ?? throw new InvalidOperationException($"{Name} has not been started; call Start first.");
        return process.Process.WaitForExitAsync(cancellationToken);
    }

    private bool Finish()
    {
        Poll();
        return true;
    }

    private void Signal(int signal)
    {
        SpawnedProcess process = _spawned ?? throw new InvalidOperationException($"{Name} has not been started; call Start first.");
        if (Poll() is null)
        {
            ProcessPlatform.Current.SendSignal(process.Process.Id, signal);
        }
    }

    private ExitStatus? Poll()
    {
        lock (_sync)
        {
            if (_exitStatus is null && _spawned is { } s && s.Process.HasExited)
            {
                s.Process.WaitForExit(); // Make sure the exit code is final.
                _exitStatus = ProcessPlatform.Current.DecodeExitStatus(s.Process.ExitCode);
                s.ToWorker.Dispose();
                s.FromWorker.Dispose();
            }
            return _exitStatus;
        }
    }

    private static void InstallExitHandler()
    {
        lock (s_registry)
        {
            if (s_exitHandlerInstalled)
            {
                return;
            }
            s_exitHandlerInstalled = true;
        }
        // As Python's atexit hook: join non-daemon children, kill daemon children.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (ChildProcess child in ActiveChildren())
            {
                if (child.Daemon)
                {
                    child.Kill();
                }
                else
                {
                    child.Join();
                }
            }
        };
    }
}
