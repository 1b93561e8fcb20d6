using MathNet.Numerics.LinearAlgebra;

namespace IstaNas.SparseCoding;

/// <summary>The exact solution of one LASSO problem by <see cref="DenseLassoSolver"/>.</summary>
/// <param name="Z">z: the sparse code, length n.</param>
/// <param name="Iterations">Homotopy steps (breakpoints of the path) taken.</param>
/// <param name="Objective">1/2 ||A z - b||^2 + lambda ||z||_1.</param>
/// <param name="KktResidual">Scaled KKT residual of z (see <see cref="SparseCoding.KktResidual"/>).</param>
internal sealed record DenseLassoResult(Vector<double> Z, int Iterations, double Objective, double KktResidual);
