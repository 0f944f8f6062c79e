using System.Runtime.CompilerServices;
using System.Text;
using MessagePack;

namespace Concur.Serialization;

/// <summary>
/// Watches the object graph while a value is written: a reference that is reached again inside itself (a cycle) or
/// nesting deeper than <see cref="MaxDepth"/> objects is refused with a <see cref="MessagePackSerializationException"/>
/// that names the path, instead of recursing until the stack overflows (which would kill the process).
/// </summary>
/// <remarks>
/// The state is per thread (a write never leaves its thread) and every <see cref="Enter"/> is paired with
/// <see cref="Exit"/> in a <c>finally</c>, so a refused write leaves nothing behind.
/// </remarks>
internal static class GraphGuard
{
    /// <summary>The deepest nesting of objects (user types and polymorphic values) a value may have.</summary>
    public const int MaxDepth = 200;

#pragma warning disable IDE1006 // t_ for [ThreadStatic] fields (dotnet/runtime's convention); the rule cannot see the attribute.
    [ThreadStatic]
    private static List<Frame>? t_path;

    [ThreadStatic]
    private static object? t_handedOff;
#pragma warning restore IDE1006

    /// <summary>
    /// Enters <paramref name="value"/> (of <paramref name="type"/>) before writing its members. Returns
    /// <see langword="false"/>, entering nothing, when <paramref name="acceptHandOff"/> is set and the value is the one
    /// a polymorphic wrapper just entered and <see cref="HandOff"/>ed to its type's formatter; call <see cref="Exit"/>
    /// only after a <see langword="true"/>.
    /// </summary>
    /// <exception cref="MessagePackSerializationException">The value is already being written (a cycle), or the graph is too deep.</exception>
    public static bool Enter(object value, Type type, bool acceptHandOff)
    {
        List<Frame> frames = t_path ??= new List<Frame>(16);
        bool handed = acceptHandOff && ReferenceEquals(t_handedOff, value);
        t_handedOff = null;
        if (handed)
        {
            return false;
        }
        if (!type.IsValueType)
        {
            for (int i = 0; i < frames.Count; i++)
            {
                if (ReferenceEquals(frames[i].Value, value))
                {
                    string earlier = Describe(frames, i);
                    string now = Describe(frames, frames.Count);
                    throw new MessagePackSerializationException(
                        $"the value has a cycle: the {CSharpName.Of(type)} at {earlier} is reached again at {now}. " +
                        "Objects travel by value, so a graph that refers back to itself cannot be sent: break the cycle " +
                        "(send indexes or ids instead of the back reference), or mark the back-reference field [NonSerialized]");
                }
            }
        }
        if (frames.Count >= MaxDepth)
        {
            throw new MessagePackSerializationException(
                $"the value nests more than {MaxDepth} objects deep (at {Describe(frames, frames.Count)}), the depth limit " +
                "of values sent between processes. Send a long chain as an array or a list of its elements instead of " +
                "nesting each element in the one before");
        }
        RuntimeHelpers.EnsureSufficientExecutionStack();
        frames.Add(new Frame(value, type));
        return true;
    }

    /// <summary>Marks <paramref name="value"/>, just entered, as handed to the formatter of its own type next.</summary>
    public static void HandOff(object value) => t_handedOff = value;

    /// <summary>Names the member about to be written inside the current object (for messages).</summary>
    public static void Member(string name)
    {
        List<Frame> frames = t_path!;
        frames[^1] = frames[^1] with { Member = name };
    }

    /// <summary>Leaves the object entered last.</summary>
    public static void Exit()
    {
        List<Frame> frames = t_path!;
        frames.RemoveAt(frames.Count - 1);
        t_handedOff = null;
    }

    private static string Describe(List<Frame> frames, int count)
    {
        if (count == 0)
        {
            return "the top of the value";
        }
        var text = new StringBuilder(CSharpName.Of(frames[0].Type));
        for (int i = 0; i < count; i++)
        {
            if (count > 12 && i == 5)
            {
                text.Append(".\u2026");
                i = count - 6;
                continue;
            }
            text.Append('.').Append(frames[i].Member ?? "?");
        }
        return text.ToString();
    }

    private readonly record struct Frame(object Value, Type Type, string? Member = null);
}
