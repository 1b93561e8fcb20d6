namespace IstaNas.SearchSpace;

/// <summary>How the fixed measurement matrices A are sampled.</summary>
public enum MeasurementMatrixKind
{
    /// <summary>Entries i.i.d. uniform on [0, 1), as in the authors' code.</summary>
    Uniform = 0,

    /// <summary>Entries i.i.d. standard normal, each column scaled to unit length (the textbook compressed-sensing choice).</summary>
    Gaussian = 1,
}
