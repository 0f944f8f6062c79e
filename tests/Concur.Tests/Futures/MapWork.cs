namespace Concur.Tests.Futures;

/// <summary>
/// Work for <see cref="MapSemanticsTests"/>: static members over strings and numbers only, so a process pool can run
/// them in another process.
/// </summary>
public static class MapWork
{
    /// <summary>The size of each <see cref="Blob"/>: large enough that keeping every consumed result would show.</summary>
    public const int BlobSize = 64 * 1024;

    /// <summary>Returns <paramref name="x"/> squared, but throws for 50.</summary>
    public static int SquareFailingAtFifty(int x) =>
        x == 50 ? throw new InvalidOperationException("item 50 failed") : x * x;

    /// <summary>Returns a fresh 64 KiB array whose first byte is <paramref name="x"/> (modulo 256).</summary>
    public static byte[] Blob(int x)
    {
        var blob = new byte[BlobSize];
        blob[0] = (byte)x;
        return blob;
    }

    /// <summary>Throws for an argument that starts with "fail"; otherwise creates the file it names and returns it.</summary>
    public static string TouchOrFail(string argument)
    {
        if (argument.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(argument);
        }
        File.WriteAllText(argument, "ran");
        return argument;
    }
}
