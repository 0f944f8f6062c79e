namespace Concur.Tests.Ipc;

/// <summary>
/// The Python programs of the interoperability tests: plain <c>multiprocessing.connection</c> with
/// <c>send_bytes</c>/<c>recv_bytes</c>, as a Python user would write them. An address is passed as
/// <c>unix:PATH</c>, <c>abstract:NAME</c> (Python's address is <c>"\0" + NAME</c>) or <c>tcp:HOST:PORT</c>, a key as hex.
/// </summary>
internal static class PythonScripts
{
    private const string Common = """
        import os, struct, sys, time
        from multiprocessing import AuthenticationError
        from multiprocessing.connection import Client, Listener

        def address(text):
            kind, _, rest = text.partition(":")
            if kind == "unix":
                return rest
            if kind == "abstract":
                return "\0" + rest
            host, _, port = rest.rpartition(":")
            return (host, int(port))

        def echo(conn):
            while True:
                try:
                    message = conn.recv_bytes()
                except EOFError:
                    return
                conn.send_bytes(b"python:" + message)

        """;

    /// <summary>
    /// Connects to a listener: <c>argv = address key mode</c>. Prints <c>connected</c>, then by mode: <c>echo</c>
    /// answers each message with <c>python:</c> and the message until end of file; <c>hold</c> sends <c>ready</c>
    /// and sleeps (to be killed); <c>torn</c> writes the header of a 1000-byte message and 10 bytes of it, then
    /// sleeps. Exits 3 on an authentication error.
    /// </summary>
    public const string Client = Common + """
        try:
            conn = Client(address(sys.argv[1]), authkey=bytes.fromhex(sys.argv[2]))
        except AuthenticationError as e:
            print("AuthenticationError:", e, flush=True)
            sys.exit(3)
        print("connected", flush=True)
        mode = sys.argv[3]
        if mode == "echo":
            echo(conn)
        elif mode == "hold":
            conn.send_bytes(b"ready")
            time.sleep(600)
        elif mode == "torn":
            os.write(conn.fileno(), struct.pack("!i", 1000) + b"0123456789")
            time.sleep(600)
        conn.close()
        """;

    /// <summary>
    /// Listens (<c>argv = unix:PATH|abstract:NAME|tcp key</c>), prints its address in the same notation, accepts one client and
    /// echoes until end of file. Exits 3 on an authentication error.
    /// </summary>
    public const string Listener = Common + """
        spec = sys.argv[1]
        key = bytes.fromhex(sys.argv[2])
        if spec.startswith("unix:"):
            listener = Listener(spec[5:], family="AF_UNIX", authkey=key)
            print("unix:" + listener.address, flush=True)
        elif spec.startswith("abstract:"):
            listener = Listener(address(spec), family="AF_UNIX", authkey=key)
            # getsockname() gives an abstract name as bytes, NUL included.
            print("abstract:" + listener.address[1:].decode(), flush=True)
        else:
            listener = Listener(("127.0.0.1", 0), family="AF_INET", authkey=key)
            print("tcp:%s:%d" % listener.address, flush=True)
        with listener:
            try:
                conn = listener.accept()
            except AuthenticationError as e:
                print("AuthenticationError:", e, flush=True)
                sys.exit(3)
            with conn:
                echo(conn)
        """;

    /// <summary>
    /// Becomes user 65534 (nobody; the test runs as root), then connects to the abstract name <c>argv[1]</c> with the key
    /// <c>argv[2]</c>. Prints <c>EOFError</c> and exits 4 if the listener hangs up before the handshake.
    /// </summary>
    public const string OtherUserClient = """
        import hashlib, hmac, os, sys  # imported before the interpreter's folder becomes unreadable
        from multiprocessing.connection import Client
        os.setgid(65534)
        os.setuid(65534)
        try:
            Client("\0" + sys.argv[1], authkey=bytes.fromhex(sys.argv[2]))
        except EOFError:
            print("EOFError", flush=True)
            sys.exit(4)
        print("connected", flush=True)
        """;
}
