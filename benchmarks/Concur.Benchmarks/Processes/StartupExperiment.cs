using System.Diagnostics;

namespace Concur.Benchmarks.Processes;

/// <summary>
/// Pool creation to first result under different worker runtime settings, interleaved so that machine load affects
/// every variant alike. Run: <c>dotnet run -c Release --project benchmarks/Concur.Benchmarks -- processes-startup [rounds]</c>.
/// </summary>
public static class StartupExperiment
{
    /// <summary>CPU time (user + system) a process has used so far, from /proc.</summary>
    public static double CpuMilliseconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the state.
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) * 10.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>What the worker's first task pays for, step by step, in a fresh process.</summary>
    public static void InitCosts()
    {
        var w = Stopwatch.StartNew();
        void Step(string what)
        {
            Console.WriteLine($"{what,-40} {w.Elapsed.TotalMilliseconds,7:F1} ms");
            w.Restart();
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        var writer = new MessagePack.MessagePackWriter(buffer);
        writer.Write(1);
        writer.Flush();
        Step("MessagePackWriter.Write(int)");
        var builtin = MessagePack.Resolvers.BuiltinResolver.Instance;
        Step("BuiltinResolver.Instance");
        var f = builtin.GetFormatter<int>();
        Step("BuiltinResolver.GetFormatter<int>");
        var plain = new MessagePack.MessagePackSerializerOptions(builtin);
        Step("new Options(builtin)");
        var std = MessagePack.MessagePackSerializerOptions.Standard;
        Step("Options.Standard");
        var sec = MessagePack.MessagePackSecurity.UntrustedData;
        Step("MessagePackSecurity.UntrustedData");
        var cl = MessagePack.Resolvers.ContractlessStandardResolver.Instance;
        Step("ContractlessStandardResolver.Instance");
        var options = Concur.Serialization.Payload.Options;
        Step("Payload.Options");
        byte[] bytes = MessagePack.MessagePackSerializer.Serialize(1, options);
        Step("Serialize<int>");
        MessagePack.MessagePackSerializer.Deserialize<int>(bytes, options);
        Step("Deserialize<int>");
        MessagePack.MessagePackSerializer.Serialize(1L, options);
        Step("Serialize<long>");
        Type t = Type.GetType(typeof(Func<int, int>).AssemblyQualifiedName!)!;
        Step("Type.GetType(Func<int,int>)");
        Type d = Type.GetType(typeof(ProcessWork).AssemblyQualifiedName!)!;
        Step("Type.GetType(ProcessWork)");
        var invoker = Concur.Serialization.Invoker.For(t);
        Step("Invoker.For");
        var m = d.Module.ResolveMethod(typeof(ProcessWork).GetMethod(nameof(ProcessWork.Identity))!.MetadataToken);
        Step("ResolveMethod");
        Delegate.CreateDelegate(t, (System.Reflection.MethodInfo)m!);
        Step("CreateDelegate");
    }

    public static void Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7;
        var variants = new (string Name, Dictionary<string, string> Env)[]
        {
            ("default", []),
            ("TieredPGO=0", new() { ["DOTNET_TieredPGO"] = "0" }),
            ("TieredCompilation=0", new() { ["DOTNET_TieredCompilation"] = "0" }),
            ("gcServer=0,gcConcurrent=0", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" }),
        };
        var samples = variants.Select(_ => new List<double>()).ToArray();
        var cpu = variants.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int v = 0; v < variants.Length; v++)
            {
                var watch = Stopwatch.StartNew();
                using (var pool = new ProcessPoolExecutor(2, variants[v].Env))
                {
                    pool.Submit(ProcessWork.Identity, 1).GetAwaiter().GetResult();
                    samples[v].Add(watch.Elapsed.TotalMilliseconds);
                    cpu[v].Add(pool.WorkerProcessIds.Max(CpuMilliseconds));
                }
            }
        }
        for (int v = 0; v < variants.Length; v++)
        {
            samples[v].Sort();
            cpu[v].Sort();
            Console.WriteLine($"{variants[v].Name,-45} median {samples[v][samples[v].Count / 2],7:F1} ms  min {samples[v][0],7:F1} ms  worker CPU median {cpu[v][cpu[v].Count / 2],6:F0} ms");
        }
    }
}
