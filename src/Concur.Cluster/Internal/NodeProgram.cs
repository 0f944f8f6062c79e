namespace Concur.Cluster.Internal;

/// <summary>
/// The node host's entry point: Concur.Cluster.dll started as <c>dotnet exec --runtimeconfig app.runtimeconfig.json
/// --depsfile app.deps.json Concur.Cluster.dll --concur-node ...</c>, so the node resolves the application's
/// assemblies (and its pool's workers, started the same way, do too).
/// </summary>
internal static class NodeProgram
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != NodeArguments.NodeArgument)
        {
            Console.Error.WriteLine("Concur.Cluster.dll is a library; it runs as a cluster node with: concur node --app path/to/App.dll --cluster redis://HOST:PORT (see docs/cluster.md).");
            return 2;
        }
        NodeArguments arguments;
        try
        {
            arguments = NodeArguments.Parse(args[1..]);
            arguments.Membership();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        return NodeHost.RunAsync(arguments, Console.Out).GetAwaiter().GetResult();
    }
}
