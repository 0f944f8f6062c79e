using System.Reflection;

namespace Concur.Ipc.Managers.Internal;

/// <summary>
/// Names a method of a registered type the same way in the client and in the server: its name and its parameters'
/// full type names, <c>Add(System.Int32)</c>, so overloads are told apart without sending metadata tokens (which
/// differ between builds).
/// </summary>
internal static class MethodSignature
{
    /// <summary>Gets the signature of <paramref name="method"/>.</summary>
    public static string Of(MethodInfo method) =>
        $"{method.Name}({string.Join(",", method.GetParameters().Select(static p => p.ParameterType.FullName ?? p.ParameterType.Name))})";
}
