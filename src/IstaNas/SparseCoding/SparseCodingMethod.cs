namespace IstaNas.SparseCoding;

/// <summary>The recovery method: which coder <see cref="SparseCoder.Create(SparseCoderOptions)"/> builds.</summary>
public enum SparseCodingMethod
{
    /// <summary>ISTA (<see cref="TensorSparseCoder"/>): proximal gradient with step 1/L and soft threshold lambda/L.</summary>
    Ista,

    /// <summary>FISTA (<see cref="TensorSparseCoder"/>): ISTA with Nesterov momentum t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2.</summary>
    Fista,

    /// <summary>Exact active-set homotopy on the host (<see cref="ActiveSetSparseCoder"/>), for small problems on CPU.</summary>
    ActiveSet,

    /// <summary>
    /// Per solve, <see cref="ActiveSet"/> for small CPU problems and FISTA otherwise (<see cref="AutoSparseCoder"/>).
    /// The default.
    /// </summary>
    Auto,
}
