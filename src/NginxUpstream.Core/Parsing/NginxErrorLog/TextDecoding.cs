using NginxUpstream.Model;

namespace NginxUpstream.Parsing.NginxErrorLog;

/// <summary>When an <see cref="UpstreamError"/>'s text fields are decoded (<see cref="NginxErrorLogReader.TextDecoding"/>).</summary>
public enum TextDecoding
{
    /// <summary>While the record is read, on the reading thread from the parsed fields: best when the text is used.</summary>
    WhileReading,
    /// <summary>On the first read of any text property, from the kept raw bytes: best for reads that only count or filter on scalars.</summary>
    OnFirstUse,
}
