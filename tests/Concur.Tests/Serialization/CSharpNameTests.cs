using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Concur.Serialization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MessagePack;

namespace Concur.Tests.Serialization;

public sealed partial class CSharpNameTests
{
    [Theory]
    [InlineData(typeof(int), "int")]
    [InlineData(typeof(List<int>), "List<int>")]
    [InlineData(typeof(Dictionary<string, List<double>>), "Dictionary<string, List<double>>")]
    [InlineData(typeof(int?[]), "int?[]")]
    [InlineData(typeof(int[,]), "int[,]")]
    [InlineData(typeof((int, string)), "(int, string)")]
    [InlineData(typeof(Uri), "Uri")]
    [InlineData(typeof(System.Collections.ObjectModel.Collection<Uri>), "System.Collections.ObjectModel.Collection<Uri>")]
    [InlineData(typeof(Outer.Inner), "Concur.Tests.Serialization.Outer.Inner")]
    [InlineData(typeof(Outer.Box<List<int>>), "Concur.Tests.Serialization.Outer.Box<List<int>>")]
    public void Of_Type_IsItsCSharpSpelling(Type type, string expected)
    {
        Assert.Equal(expected, CSharpName.Of(type));
    }

    [Fact]
    public void Of_AnonymousType_CannotBeNamed()
    {
        Assert.False(CSharpName.CanBeNamed(new { A = 1 }.GetType()));
        Assert.True(CSharpName.CanBeNamed(typeof(Outer.Box<int>)));
    }

    /// <summary>The refusal hints of real messages: each is a call with no backtick, compiled by Roslyn below.</summary>
    private static IEnumerable<string> HintsFromMessages()
    {
        object?[] values = [new List<int>(), new Dictionary<string, Outer.Box<int[]>>(), new Outer.Inner(), (1, "a"), new int?[1]];
        foreach (object? value in values)
        {
            var e = Assert.ThrowsAny<MessagePackSerializationException>(() => Payload.Read<Holder>(Write(new Holder { Value = value })));
            Match hint = HintPattern().Match(e.GetBaseException().Message);
            Assert.True(hint.Success, e.GetBaseException().Message);
            yield return hint.Value;
        }
    }

    private static byte[] Write<T>(T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        Payload.Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Hints_InRefusalMessages_AreCallsWithoutBackticks()
    {
        foreach (string hint in HintsFromMessages())
        {
            Assert.DoesNotContain("`", hint, StringComparison.Ordinal);
            Assert.Matches(@"^ProcessTypeAllowlist\.Allow<[\w\.<>, \[\]\?\(\)]+>\(\)$", hint);
        }
    }

    [Fact]
    public void Hints_InRefusalMessages_CompileWithRoslyn()
    {
        string body = string.Join(Environment.NewLine, HintsFromMessages().Select(static h => $"        {h};"));
        string source = $$"""
            using System;
            using System.Collections.Generic;
            using Concur;

            static class UsesHints
            {
                static void Run()
                {
            {{body}}
                }
            }
            """;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(static p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(ProcessTypeAllowlist).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(CSharpNameTests).Assembly.Location));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Hints", [CSharpSyntaxTree.ParseText(source)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        ImmutableArray<Diagnostic> errors = [.. compilation.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.IsEmpty, source + Environment.NewLine + string.Join(Environment.NewLine, errors));
    }

    [GeneratedRegex(@"ProcessTypeAllowlist\.Allow<.+?>\(\)")]
    private static partial Regex HintPattern();
}
