namespace Concur.Serialization;

/// <summary>What a function reference's delegate is bound to, and so what travels with each call.</summary>
internal enum TargetKind : byte
{
    /// <summary>A static method: nothing travels.</summary>
    None = 0,

    /// <summary>A lambda's closure: its captured variables travel, each by declared type.</summary>
    Closure = 1,

    /// <summary>An object whose whole state travels by its own type (a <c>ChildProcess</c> subclass).</summary>
    SerializedObject = 2,
}
