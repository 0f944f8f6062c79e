namespace Concur.Serialization;

/// <summary>
/// The scope of a round-trip check in the sender (<see cref="SendableTypes.CheckRoundTripOnce{T}"/>): while it is
/// open on a thread, values that travel by handle (<see cref="PassedByHandleFormatter{T}"/>) are written as an index
/// into a list kept here and read back as the very same object. So the check compares them by identity, and it
/// neither registers them with the sharer nor takes a handle from it (which would leave a second open copy behind).
/// </summary>
internal static class IdentityRoundTrip
{
#pragma warning disable IDE1006 // t_ for a [ThreadStatic] field (dotnet/runtime's convention); the rule cannot see the attribute.
    [ThreadStatic]
    private static List<object>? t_kept;
#pragma warning restore IDE1006

    /// <summary>Gets a value indicating whether a round-trip check is running on this thread.</summary>
    public static bool IsActive => t_kept is not null;

    /// <summary>Opens the scope on this thread; dispose it to close it (scopes nest).</summary>
    /// <returns>The scope.</returns>
    public static Scope Begin()
    {
        List<object>? previous = t_kept;
        t_kept = [];
        return new Scope(previous);
    }

    /// <summary>Keeps <paramref name="value"/> for the read that follows and returns its index.</summary>
    public static int Keep(object value)
    {
        List<object> kept = t_kept ?? throw new InvalidOperationException("No round-trip check is running on this thread.");
        kept.Add(value);
        return kept.Count - 1;
    }

    /// <summary>Gets the value kept at <paramref name="index"/>.</summary>
    /// <exception cref="InvalidDataException">There is no such value (the bytes were not written in this scope).</exception>
    public static object Get(int index)
    {
        List<object>? kept = t_kept;
        if (kept is null || (uint)index >= (uint)kept.Count)
        {
            throw new InvalidDataException("A value passed by handle was read back from bytes not written by this round-trip check.");
        }
        return kept[index];
    }

    /// <summary>Closes the scope, restoring the one it was opened in.</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly List<object>? _previous;

        public Scope(List<object>? previous) => _previous = previous;

        /// <inheritdoc/>
        public void Dispose() => t_kept = _previous;
    }
}
