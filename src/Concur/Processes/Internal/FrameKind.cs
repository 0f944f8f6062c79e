namespace Concur.Processes.Internal;

/// <summary>The kinds of frame on a worker's two pipes.</summary>
internal enum FrameKind : byte
{
    // Parent -> worker.

    /// <summary>id = function id; body = a <c>FunctionRef</c> definition. Sent once per function per worker.</summary>
    Define = 1,

    /// <summary>id = task id; body = function id (int32), target state, arguments.</summary>
    Invoke = 2,

    /// <summary>id = task id; body = function id (int32), target state, an array of argument items.</summary>
    InvokeChunk = 3,

    /// <summary>id = 0; body = function id (int32), target state. The pool initializer: run before any task.</summary>
    Initialize = 4,

    /// <summary>id = 0; body = function id (int32), target state. A ChildProcess's body: run it, then exit.</summary>
    RunMain = 5,

    /// <summary>Finish and exit with code 0.</summary>
    Exit = 6,

    /// <summary>id = 0; body = the names of the types on <c>ProcessTypeAllowlist</c> (sent when the list changes).</summary>
    AllowTypes = 7,

    /// <summary>
    /// id = the id of the call frame that follows; body = a <see cref="TypeCode"/> byte, then the elements' bytes. An
    /// array of the next call's arguments, sent beside its body (<c>Serialization.OutOfBand</c>); the call's body refers
    /// to it by its place among the call's arrays.
    /// </summary>
    Array = 8,

    // Worker -> parent.

    /// <summary>id = the worker's pid. The worker is ready for frames.</summary>
    Ready = 64,

    /// <summary>id = task id; body = the result, serialized by its declared type.</summary>
    Result = 65,

    /// <summary>id = task id; body = a remote error (strings only).</summary>
    Error = 66,

    /// <summary>id = 0; body = a remote error. The initializer threw; the worker exits.</summary>
    InitializeFailed = 67,

    /// <summary>id = task id; body as <see cref="Array"/>. An array of the result that follows, sent beside its body.</summary>
    ResultArray = 68,

    /// <summary>id = task id; no body. The parent took the task back before the worker started it (see TaskClaims).</summary>
    Skipped = 69,
}
