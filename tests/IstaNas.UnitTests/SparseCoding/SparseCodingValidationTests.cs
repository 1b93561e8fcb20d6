using System.ComponentModel.DataAnnotations;
using IstaNas.SparseCoding;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.SparseCoding;

public class SparseCodingValidationTests
{
    private static Tensor A(int m = 7, int n = 14, ScalarType dtype = ScalarType.Float64) => rand(m, n, dtype);

    private static Tensor B(int m = 7, ScalarType dtype = ScalarType.Float64) => randn(m, dtype) * 1e-3;

    private static ArgumentException CreateFails(Tensor[] a, Tensor[] b, string paramName, string messagePart)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => SparseCodingProblem.Create(a, b));
        Assert.Equal(paramName, ex.ParamName);
        Assert.Contains(messagePart, ex.Message);
        return ex;
    }

    [Fact]
    public void MismatchedListLengths()
    {
        using var scope = NewDisposeScope();
        CreateFails(new[] { A(), A() }, new[] { B() }, "b", "a has 2 matrices, b has 1");
        CreateFails(Array.Empty<Tensor>(), Array.Empty<Tensor>(), "a", "empty");
    }

    [Fact]
    public void RowsOfADoNotMatchLengthOfB()
    {
        using var scope = NewDisposeScope();
        CreateFails(new[] { A(), A() }, new[] { B(), B(6) }, "b", "b[1] has shape [6]");
        CreateFails(new[] { A(7), A(8) }, new[] { B(), B() }, "a", "a[1] has 8 rows");
        CreateFails(new[] { rand(7, ScalarType.Float64) }, new[] { B() }, "a", "1 dimensions");
    }

    [Fact]
    public void EmptyDimensions()
    {
        using var scope = NewDisposeScope();
        CreateFails(new[] { A(0, 14) }, new[] { B(0) }, "a", "[0, 14]");
        CreateFails(new[] { A(7, 0) }, new[] { B() }, "a", "[7, 0]");
    }

    [Fact]
    public void NonFiniteValues()
    {
        using var scope = NewDisposeScope();
        var badA = A();
        badA[2, 3] = tensor(double.NaN);
        CreateFails(new[] { A(), badA }, new[] { B(), B() }, "a[1]", "NaN");
        var badB = B();
        badB[4] = tensor(double.PositiveInfinity);
        CreateFails(new[] { A() }, new[] { badB }, "b[0]", "Infinity");
        using var problem = SparseCodingProblem.Create(new[] { A() }, new[] { B() });
        var warm = zeros(1, 14, ScalarType.Float64);
        warm[0, 5] = tensor(double.NegativeInfinity);
        var coder = new TensorSparseCoder(new SparseCoderOptions());
        var ex = Assert.ThrowsAny<ArgumentException>(() => coder.Solve(problem, warm));
        Assert.Equal("warmStart", ex.ParamName);
        Assert.Contains("-Infinity", ex.Message);
        var badBatchB = zeros(1, 7, ScalarType.Float64);
        badBatchB[0, 0] = tensor(double.NaN);
        Assert.Equal("b", Assert.ThrowsAny<ArgumentException>(() => problem.WithB(badBatchB)).ParamName);
    }

    [Theory]
    [InlineData(nameof(SparseCoderOptions.Lambda), -1e-5)]
    [InlineData(nameof(SparseCoderOptions.Lambda), double.NaN)]
    [InlineData(nameof(SparseCoderOptions.Tolerance), 0.0)]
    [InlineData(nameof(SparseCoderOptions.Tolerance), -1e-6)]
    [InlineData(nameof(SparseCoderOptions.Tolerance), double.PositiveInfinity)]
    [InlineData(nameof(SparseCoderOptions.MaxIterations), 0.0)]
    [InlineData(nameof(SparseCoderOptions.MaxIterations), -3.0)]
    [InlineData(nameof(SparseCoderOptions.CheckInterval), 0.0)]
    public void InvalidOptions(string option, double value)
    {
        var options = new SparseCoderOptions();
        switch (option)
        {
            case nameof(SparseCoderOptions.Lambda): options.Lambda = value; break;
            case nameof(SparseCoderOptions.Tolerance): options.Tolerance = value; break;
            case nameof(SparseCoderOptions.MaxIterations): options.MaxIterations = (int)value; break;
            default: options.CheckInterval = (int)value; break;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TensorSparseCoder(options));
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.CurrentCulture), ex.Message);
        if (!double.IsNaN(value) && !double.IsInfinity(value))
        {
            // The data annotations (for ValidateDataAnnotations) reject the same values.
            Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        }
    }

    [Fact]
    public void DefaultOptionsAreValid()
    {
        var options = new SparseCoderOptions();
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        Assert.Equal(1e-5, new TensorSparseCoder(options).Options.Lambda);
    }

    [Fact]
    public void DtypeMismatchAndUnsupportedDtype()
    {
        using var scope = NewDisposeScope();
        CreateFails(new[] { A() }, new[] { B(dtype: ScalarType.Float32) }, "b[0]", "Float32");
        CreateFails(new[] { A(), A(dtype: ScalarType.Float32) }, new[] { B(), B() }, "a[1]", "dtype mismatch");
        CreateFails(new[] { ones(7, 14, ScalarType.Int32) }, new[] { ones(7, ScalarType.Int32) }, "a[0]", "Int32");
        CreateFails(new[] { A(dtype: ScalarType.Float16) }, new[] { B(dtype: ScalarType.Float16) }, "a[0]", "Float16");
        using var problem = SparseCodingProblem.Create(new[] { A() }, new[] { B() });
        var ex = Assert.ThrowsAny<ArgumentException>(() => new TensorSparseCoder(new SparseCoderOptions()).Solve(problem, zeros(1, 14, ScalarType.Float32)));
        Assert.Equal("warmStart", ex.ParamName);
        Assert.Contains("dtype mismatch", ex.Message);
    }

    [Fact]
    public void DeviceMismatch()
    {
        using var scope = NewDisposeScope();
        var meta = new Device(DeviceType.META);
        CreateFails(new[] { A() }, new[] { zeros(7, ScalarType.Float64, meta) }, "b[0]", "meta");
        using var problem = SparseCodingProblem.Create(new[] { A() }, new[] { B() });
        var ex = Assert.ThrowsAny<ArgumentException>(() => new TensorSparseCoder(new SparseCoderOptions()).Solve(problem, zeros(1, 14, ScalarType.Float64, meta)));
        Assert.Equal("warmStart", ex.ParamName);
        Assert.Contains("Device mismatch", ex.Message);
    }

    [Fact]
    public void WarmStartAndNewBShapes()
    {
        using var scope = NewDisposeScope();
        using var problem = SparseCodingProblem.Create(new[] { A(), A(7, 21) }, new[] { B(), B() });
        var coder = new TensorSparseCoder(new SparseCoderOptions());
        var ex = Assert.ThrowsAny<ArgumentException>(() => coder.Solve(problem, zeros(2, 14, ScalarType.Float64)));
        Assert.Equal("warmStart", ex.ParamName);
        Assert.Contains("expected [2, 21]", ex.Message);
        ex = Assert.ThrowsAny<ArgumentException>(() => problem.WithB(zeros(2, 6, ScalarType.Float64)));
        Assert.Equal("b", ex.ParamName);
        Assert.Contains("expected [2, 7]", ex.Message);
        Assert.Equal("b", Assert.ThrowsAny<ArgumentException>(() => problem.WithB(new[] { B() })).ParamName);
    }

    [Fact]
    public void ProblemsOutliveTheCallersDisposeScope()
    {
        SparseCodingProblem problem;
        SparseCodingProblem moved;
        using (var scope = NewDisposeScope())
        {
            problem = SparseCodingProblem.Create(new[] { A() }, new[] { B() });
            moved = problem.WithB(B().unsqueeze(0));
            using var inner = problem.WithB(new[] { B() });
        }

        using (problem)
        using (moved)
        {
            var coder = new TensorSparseCoder(new SparseCoderOptions { MaxIterations = 20 });
            using var first = coder.Solve(problem);
            using var second = coder.Solve(moved, first.Z);
            Assert.Equal(new long[] { 1, 7 }, moved.B.shape);
            Assert.Equal(2, second.Objective.Length + first.Objective.Length);
        }
    }

    [Fact]
    public void DisposedProblemThrows()
    {
        using var scope = NewDisposeScope();
        var problem = SparseCodingProblem.Create(new[] { A() }, new[] { B() });
        using var sibling = problem.WithB(zeros(1, 7, ScalarType.Float64));
        problem.Dispose();
        Assert.Throws<ObjectDisposedException>(() => problem.A);
        // The shared A stays alive for the sibling.
        using var result = new TensorSparseCoder(new SparseCoderOptions()).Solve(sibling);
        Assert.Equal(0.0, result.Z.abs().max().item<double>());
    }

    [Fact]
    public void EveryCoderGivenADisposedProblemSaysItWasDisposed()
    {
        using var scope = NewDisposeScope();
        var problem = SparseCodingProblem.Create(new[] { A() }, new[] { B() });
        problem.Dispose();
        foreach (Func<object> use in new Func<object>[]
                 {
                     () => problem.Dtype, () => problem.Device, () => problem.Rows, () => problem.ColumnCounts,
                     () => new TensorSparseCoder(new SparseCoderOptions()).Solve(problem),
                     () => SparseCoder.Create(new SparseCoderOptions()).Solve(problem),
                 })
        {
            var ex = Assert.Throws<ObjectDisposedException>(use);
            Assert.Contains("SparseCodingProblem was disposed", ex.Message);
        }
    }
}
