namespace NginxUpstream.Analysis.Diagnosis;

/// <summary>Knobs of the reset-cause analysis; every default is the one Find-ResetCause uses.</summary>
public sealed class DiagnosisOptions
{
    /// <summary>Errors toward one upstream further apart than this start a new incident.</summary>
    public TimeSpan BurstGap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far apart the clocks of two sources may be (nginx writes whole seconds from a cached
    /// clock; journald stamps receipt time, late under memory pressure). Evidence within this of
    /// an error counts as simultaneous.
    /// </summary>
    public TimeSpan Skew { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Backend process names (wildcards) given by the user; they match with full strength.</summary>
    public IReadOnlyList<string> ProcessNames { get; init; } = Array.Empty<string>();

    /// <summary>systemd units or cgroup paths (wildcards) of the backend, given by the user.</summary>
    public IReadOnlyList<string> Units { get; init; } = Array.Empty<string>();

    /// <summary>Backend pids given by the user.</summary>
    public IReadOnlyList<int> ProcessIds { get; init; } = Array.Empty<int>();

    /// <summary>Below this best score the cause stays Unknown.</summary>
    public double UnknownBelow { get; init; } = 0.5;
}
