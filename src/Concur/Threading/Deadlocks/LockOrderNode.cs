namespace Concur.Threading.Deadlocks;

/// <summary>
/// One lock in the lock-order graph. Holds the lock's name, not the lock, so a lock that took part can still be
/// collected; the node lives while another node has an edge to it.
/// </summary>
internal sealed class LockOrderNode
{
    /// <summary>Beyond this many known successors, lookups go through <see cref="_knownSet"/>.</summary>
    private const int ArrayLimit = 16;

    private static readonly LockOrderNode[] s_none = [];

    // Read without a lock on every ordered acquire; replaced (copy on write) under the graph lock.
    private volatile LockOrderNode[] _known = s_none;
    private volatile HashSet<LockOrderNode>? _knownSet;

    public LockOrderNode(string name)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>Accepted successors ("taken while holding this one"), with where each was first seen. Under the graph lock.</summary>
    public Dictionary<LockOrderNode, LockOrderEdge>? Edges { get; set; }

    /// <summary>Successors whose order was reported as an inversion under the Throw policy. Under the graph lock.</summary>
    public Dictionary<LockOrderNode, LockOrderViolation>? Rejected { get; set; }

    /// <summary>Whether taking <paramref name="next"/> while holding this lock is already known (accepted, or reported once under Warn).</summary>
    public bool Knows(LockOrderNode next)
    {
        var known = _known;
        for (var i = 0; i < known.Length; i++)
        {
            if (ReferenceEquals(known[i], next))
            {
                return true;
            }
        }
        return known.Length == ArrayLimit && _knownSet is { } set && set.Contains(next);
    }

    /// <summary>Adds <paramref name="next"/> to the lock-free cache. Under the graph lock.</summary>
    public void Remember(LockOrderNode next)
    {
        var known = _known;
        if (known.Length < ArrayLimit)
        {
            var grown = new LockOrderNode[known.Length + 1];
            Array.Copy(known, grown, known.Length);
            grown[known.Length] = next;
            _known = grown;
            return;
        }
        var set = _knownSet is null ? new HashSet<LockOrderNode>(ReferenceEqualityComparer.Instance) : new HashSet<LockOrderNode>(_knownSet, ReferenceEqualityComparer.Instance);
        set.Add(next);
        _knownSet = set;
    }

    /// <summary>Forgets every order recorded from this lock. Under the graph lock.</summary>
    public void Clear()
    {
        _known = s_none;
        _knownSet = null;
        Edges = null;
        Rejected = null;
    }
}
