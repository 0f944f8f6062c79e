namespace Concur.Processes.Internal;

/// <summary>A frame's header as read from a pipe, before its body is.</summary>
/// <param name="Kind">The frame's kind (not yet checked against the known kinds).</param>
/// <param name="Id">The task id, function id or process id the frame is about.</param>
/// <param name="BodyLength">The number of body bytes that follow.</param>
internal readonly record struct FrameHeader(FrameKind Kind, long Id, int BodyLength);
