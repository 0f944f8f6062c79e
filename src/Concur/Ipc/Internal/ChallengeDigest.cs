using System.Security.Cryptography;
using System.Text;

namespace Concur.Ipc.Internal;

/// <summary>
/// The digests of CPython's connection handshake and how a message names one: a modern message starts with
/// <c>{name}</c> (<c>{sha256}</c>, ...); a legacy one (CPython 3.11 and older) is 20 bytes (a challenge) or 16 bytes
/// (an HMAC-MD5 answer) and names none, which means HMAC-MD5.
/// </summary>
/// <remarks>
/// The names and the legacy lengths are CPython 3.12's (<c>_ALLOWED_DIGESTS</c>, <c>_MD5ONLY_MESSAGE_LENGTH</c>,
/// <c>_MD5_DIGEST_LEN</c> in <c>Lib/multiprocessing/connection.py</c>): no modern message can have a legacy length, so
/// the length alone tells the two protocols apart.
/// </remarks>
internal static class ChallengeDigest
{
    /// <summary>The digest Concur asks for in the challenges it sends, as CPython 3.12 does.</summary>
    public const string Preferred = "sha256";

    /// <summary>The digest of the legacy protocol.</summary>
    public const string Legacy = "md5";

    /// <summary>The length of a legacy challenge (CPython 3.11 and older send 20 random bytes).</summary>
    public const int LegacyChallengeLength = 20;

    /// <summary>The length of a legacy answer: a bare HMAC-MD5.</summary>
    public const int LegacyAnswerLength = 16;

    private static readonly string[] s_allowed = ["md5", "sha256", "sha384", "sha3_256", "sha3_384"];

    /// <summary>The longest allowed name, which bounds the search for the closing brace.</summary>
    private const int MaxNameLength = 8;

    /// <summary>
    /// Splits <paramref name="message"/> into the digest it names and the rest. A legacy message names
    /// <see cref="Legacy"/>, with no prefix; returns <see langword="null"/> for a message that is neither.
    /// </summary>
    public static (string Name, int PrefixLength)? Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length is LegacyChallengeLength or LegacyAnswerLength)
        {
            return (Legacy, 0);
        }
        if (message.Length < 2 || message[0] != (byte)'{')
        {
            return null;
        }
        int close = message[1..Math.Min(message.Length, MaxNameLength + 2)].IndexOf((byte)'}');
        if (close <= 0)
        {
            return null;
        }
        string name = Encoding.ASCII.GetString(message.Slice(1, close));
        return Array.IndexOf(s_allowed, name) >= 0 ? (name, close + 2) : null;
    }

    /// <summary>Gets a value indicating whether <paramref name="message"/> is a legacy message (no prefix).</summary>
    public static bool IsLegacy(ReadOnlySpan<byte> message) => message.Length is LegacyChallengeLength or LegacyAnswerLength;

    /// <summary>Computes the HMAC named <paramref name="name"/> of <paramref name="data"/> under <paramref name="key"/>.</summary>
    /// <exception cref="System.Security.Authentication.AuthenticationException">This system cannot compute that digest.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification =
        "HMAC-MD5 is the legacy protocol of CPython 3.11 and older, which CPython 3.12 still accepts; as a MAC under a secret key it is not broken the way MD5 hashes are. Concur never asks for it: its challenges name sha256.")]
    public static byte[] Mac(string name, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        try
        {
            return name switch
            {
                "md5" => HMACMD5.HashData(key, data),
                "sha256" => HMACSHA256.HashData(key, data),
                "sha384" => HMACSHA384.HashData(key, data),
                "sha3_256" when HMACSHA3_256.IsSupported => HMACSHA3_256.HashData(key, data),
                "sha3_384" when HMACSHA3_384.IsSupported => HMACSHA3_384.HashData(key, data),
                _ => throw new PlatformNotSupportedException($"HMAC-{name} is not available on this system."),
            };
        }
        catch (Exception e) when (e is PlatformNotSupportedException or CryptographicException)
        {
            throw new System.Security.Authentication.AuthenticationException(
                $"The other end asked for the digest {name}, which this system cannot compute ({e.Message}).", e);
        }
    }
}
