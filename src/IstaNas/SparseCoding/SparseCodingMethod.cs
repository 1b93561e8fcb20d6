namespace IstaNas.SparseCoding;

/// <summary>The first-order method a <see cref="TensorSparseCoder"/> runs.</summary>
public enum SparseCodingMethod
{
    /// <summary>ISTA: proximal gradient with step 1/L and soft threshold lambda/L.</summary>
    Ista,

    /// <summary>FISTA: ISTA with Nesterov momentum t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2.</summary>
    Fista,
}
