using System.Reflection;
using System.Runtime.InteropServices;

namespace Concur.Tests;

/// <summary>
/// <c>using Concur;</c> never makes user code ambiguous: no public type of Concur shares its name with a public
/// type in a namespace that .NET's implicit usings bring in (the console SDK's: System, System.IO,
/// System.Collections.Generic, System.Linq, System.Net.Http, System.Threading, System.Threading.Tasks), nor with
/// <c>System.Diagnostics.Process</c>. The whole shared framework is searched, not only what this test loads.
/// </summary>
public sealed class PublicNamesTests
{
    private static readonly HashSet<string> s_implicitNamespaces =
    [
        "System", "System.IO", "System.Collections.Generic", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    [Fact]
    public void ConcurPublicTypes_DoNotClashWithImplicitUsings()
    {
        var taken = new Dictionary<string, string>(StringComparer.Ordinal) { ["Process"] = "System.Diagnostics.Process" };
        foreach (string file in Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"))
        {
            Assembly assembly;
            try
            {
                assembly = Assembly.Load(AssemblyName.GetAssemblyName(file));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                continue; // A native library, or one that does not load here.
            }
            foreach (Type type in assembly.GetExportedTypes())
            {
                if (type.Namespace is string ns && s_implicitNamespaces.Contains(ns) && !type.IsNested)
                {
                    taken.TryAdd(TrimArity(type.Name), type.FullName!);
                }
            }
        }
        Assert.Contains("Lock", taken.Keys); // The search sees the framework.

        var clashes = typeof(Connection).Assembly.GetExportedTypes()
            .Where(t => !t.IsNested && taken.ContainsKey(TrimArity(t.Name)))
            .Select(t => $"{t.FullName} clashes with {taken[TrimArity(t.Name)]}")
            .ToList();
        Assert.Empty(clashes);
        Assert.Contains(typeof(Connection), typeof(ConnectionListener).Assembly.GetExportedTypes());
    }

    private static string TrimArity(string name) => name.Split('`')[0];
}
