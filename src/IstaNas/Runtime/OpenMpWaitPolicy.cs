namespace IstaNas.Runtime;

/// <summary>What LibTorch's OpenMP threads do at the end of a parallel region (<c>OMP_WAIT_POLICY</c>).</summary>
public enum OpenMpWaitPolicy
{
    /// <summary>OpenMP's own default (GNU OpenMP: spin for a while, then sleep). Leaves the environment unchanged.</summary>
    Default = 0,

    /// <summary>Spin: the fastest on an otherwise idle machine, the slowest when the cores are shared with other busy processes.</summary>
    Active = 1,

    /// <summary>Sleep at once: every parallel region pays a wake-up, but threads that lose their core do not stall the others.</summary>
    Passive = 2,
}
