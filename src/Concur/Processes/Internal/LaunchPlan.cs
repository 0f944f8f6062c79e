using System.Reflection;
using System.Runtime.InteropServices;

namespace Concur.Processes.Internal;

/// <summary>
/// How this application starts a Concur worker process. Worked out once per process:
/// <list type="bullet">
/// <item>Normally (<c>dotnet run</c>, <c>dotnet app.dll</c>, an apphost, <c>dotnet test</c>, a published
/// framework-dependent app): <c>dotnet exec --runtimeconfig &lt;app&gt;.runtimeconfig.json --depsfile
/// &lt;app&gt;.deps.json Concur.dll --concur-worker ...</c>, with the running application's own deps and runtimeconfig
/// files (read from the host's <c>APP_CONTEXT_DEPS_FILES</c>; under <c>dotnet test</c> these are the test
/// assembly's), so the worker resolves the same assemblies as the parent. Concur.dll is the host.</item>
/// <item>When Concur.dll has no file (a single-file bundle), the application re-runs itself with the worker
/// arguments, which needs <see cref="ConcurWorker.TryRunWorker"/> at the top of Main.</item>
/// </list>
/// </summary>
internal sealed class LaunchPlan
{
    /// <summary>The first argument that tells a process it is a Concur worker.</summary>
    public const string WorkerArgument = "--concur-worker";

    private static readonly Lazy<LaunchPlan> s_lazy = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private LaunchPlan(string fileName, string[] prefix, string? error)
    {
        FileName = fileName;
        Prefix = prefix;
        Error = error;
    }

    /// <summary>Gets the plan for this process.</summary>
    public static LaunchPlan Current => s_lazy.Value;

    /// <summary>Gets the program to start.</summary>
    public string FileName { get; }

    /// <summary>Gets the arguments that come before the worker arguments.</summary>
    public IReadOnlyList<string> Prefix { get; }

    /// <summary>Gets why workers cannot be started from this application, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>Throws <see cref="InvalidOperationException"/> with <see cref="Error"/> when there is one.</summary>
    public void ThrowIfUnusable()
    {
        if (Error is not null)
        {
            throw new InvalidOperationException(Error);
        }
    }

    private static LaunchPlan Create()
    {
        string hook = $"if ({nameof(ConcurWorker)}.{nameof(ConcurWorker.TryRunWorker)}(args)) return;";
        // IL3000: an empty Location is exactly how a single-file bundle is detected here.
#pragma warning disable IL3000
        string host = typeof(LaunchPlan).Assembly.Location;
#pragma warning restore IL3000
        if (string.IsNullOrEmpty(host))
        {
            if (ConcurWorker.HookInstalled && Environment.ProcessPath is string self)
            {
                return new LaunchPlan(self, [], null);
            }
            return new LaunchPlan(string.Empty, [],
                "Concur cannot start worker processes: this application is a single-file bundle, so it cannot be " +
                $"re-launched with `dotnet exec`. Add this line at the very top of Main: `{hook}` (with top-level " +
                "statements, as the first statement). The application then re-runs itself as the worker.");
        }

        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';')[0];
        string? runtimeConfig = null;
        if (!string.IsNullOrEmpty(deps) && deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase))
        {
            string candidate = deps[..^".deps.json".Length] + ".runtimeconfig.json";
            runtimeConfig = File.Exists(candidate) ? candidate : null;
        }
#pragma warning disable IL3000 // Only reached when Concur.dll has a file, so the entry assembly has one too.
        if (runtimeConfig is null && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
#pragma warning restore IL3000
        {
            string candidate = Path.ChangeExtension(entry, ".runtimeconfig.json");
            runtimeConfig = File.Exists(candidate) ? candidate : null;
            string depsCandidate = Path.ChangeExtension(entry, ".deps.json");
            deps = File.Exists(depsCandidate) ? depsCandidate : null;
        }
        if (runtimeConfig is null)
        {
            if (ConcurWorker.HookInstalled && Environment.ProcessPath is string self)
            {
                return new LaunchPlan(self, [], null);
            }
            return new LaunchPlan(string.Empty, [],
                "Concur cannot start worker processes: the application's .runtimeconfig.json was not found next to it, " +
                "so the worker cannot be started with the same runtime and dependencies. Ship the .runtimeconfig.json and " +
                $".deps.json files with the application, or add `{hook}` at the very top of Main.");
        }

        string? dotnet = FindDotnet();
        if (dotnet is null)
        {
            return new LaunchPlan(string.Empty, [],
                "Concur cannot start worker processes: the `dotnet` host was not found (looked at the running host, " +
                $"DOTNET_HOST_PATH, DOTNET_ROOT and the runtime's directory). Set DOTNET_ROOT, or add `{hook}` at the top of Main.");
        }
        var prefix = new List<string> { "exec", "--runtimeconfig", runtimeConfig };
        if (!string.IsNullOrEmpty(deps) && File.Exists(deps))
        {
            prefix.Add("--depsfile");
            prefix.Add(deps);
        }
        prefix.Add(host);
        return new LaunchPlan(dotnet, prefix.ToArray(), null);
    }

    private static string? FindDotnet()
    {
        string exe = Platform.ProcessPlatform.Current.DotnetHostFileName;
        if (Environment.ProcessPath is string path && Path.GetFileName(path).Equals(exe, StringComparison.OrdinalIgnoreCase))
        {
            return path;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, exe)))
        {
            return Path.Combine(root, exe);
        }
        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        string runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        string candidate = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", exe));
        return File.Exists(candidate) ? candidate : null;
    }
}
