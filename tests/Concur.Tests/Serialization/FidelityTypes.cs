using System.Runtime.Serialization;

namespace Concur.Tests.Serialization;

/// <summary>A class whose only state is a private field its constructor sets (issue 7: it arrived as 0).</summary>
public sealed class Secret
{
    private readonly int _value;

    public Secret(int value) => _value = value;

    public int Reveal() => _value;
}

/// <summary>A user type with an <c>object</c>-typed member (issue 7: it arrived as a dictionary).</summary>
public sealed class Holder
{
    public object? Value { get; set; }
}

/// <summary>A node that can point at itself.</summary>
public sealed class Node
{
    public Node? Next { get; set; }

    public int Value { get; set; }
}

/// <summary>A user type holding a date.</summary>
public sealed record Stamped(DateTime At, string Label);

/// <summary>A type with a field that cannot travel and one left behind on purpose.</summary>
public sealed class WithStream
{
    private readonly MemoryStream _stream = new();

    public long Length => _stream.Length;
}

/// <summary>A type whose cache is marked to stay behind.</summary>
public sealed class WithCache
{
    [NonSerialized]
    private string? _cache;

    public WithCache(int id)
    {
        Id = id;
        _cache = $"cached {id}";
    }

    public int Id { get; }

    [IgnoreDataMember]
    public string Label { get; set; } = "label";

    public string? Cache => _cache;
}

/// <summary>A ChildProcess subclass with private state set by its constructor.</summary>
public sealed class PrivateStateChild : ChildProcess
{
    private readonly string _path;
    private readonly int _start;
    private readonly List<string> _names;

    public PrivateStateChild(string path, int start, params string[] names)
    {
        _path = path;
        _start = start;
        _names = [.. names];
    }

    public int First => _start;

    public IReadOnlyList<string> Names => _names;

    protected override void Run() => File.WriteAllText(_path, $"{_start}:{string.Join(',', _names)}");
}

/// <summary>A custom exception with a property of its own.</summary>
public sealed class CodedException : Exception
{
    public CodedException()
    {
    }

    public CodedException(string message)
        : base(message)
    {
    }

    public CodedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CodedException(int code, DayOfWeek day)
        : base($"failed with code {code}")
    {
        Code = code;
        Day = day;
    }

    public int Code { get; }

    public DayOfWeek Day { get; }
}

/// <summary>Types whose C# names the hints must spell.</summary>
public static class Outer
{
    public sealed class Inner
    {
    }

    public sealed class Box<T>
    {
        public T? Item { get; set; }
    }
}

/// <summary>A struct with private read-only state.</summary>
public readonly struct Measured
{
    private readonly double _value;

    public Measured(double value, string unit)
    {
        _value = value;
        Unit = unit;
    }

    public string Unit { get; }

    public double Value => _value;
}
