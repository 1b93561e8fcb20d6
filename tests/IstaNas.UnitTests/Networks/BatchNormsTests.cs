using IstaNas.Networks;
using TorchSharp;
using TorchSharp.Modules;

namespace IstaNas.Tests.Networks;

/// <summary>
/// The operations' BN forward (without TorchSharp's temporary scalars) computes exactly what TorchSharp's own
/// <c>BatchNorm2d.forward</c> computes: the same output bits, running statistics and batch counter, in every mode.
/// </summary>
public class BatchNormsTests
{
    public static TheoryData<bool, bool, double?> Modes() => new()
    {
        { true, true, 0.1 },
        { true, false, 0.1 },
        { true, false, null }, // cumulative average (momentum None): the factor comes from num_batches_tracked
        { false, true, 0.1 },
        { false, false, 0.1 },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void EqualsTorchSharpsForwardBitForBit(bool training, bool affine, double? momentum)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using BatchNorm2d ours = torch.nn.BatchNorm2d(3, affine: affine);
        using BatchNorm2d theirs = torch.nn.BatchNorm2d(3, affine: affine);
        ours.momentum = theirs.momentum = momentum;
        if (affine)
        {
            using (torch.no_grad())
            {
                ours.weight!.uniform_(0.5, 1.5);
                ours.bias!.uniform_(-0.5, 0.5);
                theirs.weight!.copy_(ours.weight);
                theirs.bias!.copy_(ours.bias);
            }
        }

        ours.train(training);
        theirs.train(training);
        for (int step = 0; step < 3; step++)
        {
            var x = torch.randn(4, 3, 5, 5) * (step + 1) + step;
            var expected = theirs.forward(x);
            var actual = BatchNorms.Forward(ours, x);
            Assert.True(expected.Same(actual), $"output differs at step {step}");
            Assert.True(theirs.running_mean!.Same(ours.running_mean!), $"running mean differs at step {step}");
            Assert.True(theirs.running_var!.Same(ours.running_var!), $"running var differs at step {step}");
            Assert.Equal(theirs.num_batches_tracked!.item<long>(), ours.num_batches_tracked!.item<long>());
        }

        Assert.Equal(training ? 3L : 0L, ours.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void GradientsEqualTorchSharpsForward()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using BatchNorm2d ours = torch.nn.BatchNorm2d(2);
        using BatchNorm2d theirs = torch.nn.BatchNorm2d(2);
        var x1 = torch.randn(3, 2, 4, 4).requires_grad_();
        var x2 = x1.detach().clone().requires_grad_();
        (BatchNorms.Forward(ours, x1) * torch.arange(32).reshape(2, 4, 4)).sum().backward();
        (theirs.forward(x2) * torch.arange(32).reshape(2, 4, 4)).sum().backward();
        Assert.True(x1.grad!.Same(x2.grad!));
        Assert.True(ours.weight!.grad!.Same(theirs.weight!.grad!));
        Assert.True(ours.bias!.grad!.Same(theirs.bias!.grad!));
    }

    [Fact]
    public void RejectsAnInputThatIsNotFourDimensional()
    {
        using var scope = torch.NewDisposeScope();
        using BatchNorm2d bn = torch.nn.BatchNorm2d(2);
        var error = Assert.Throws<ArgumentException>(() => BatchNorms.Forward(bn, torch.zeros(2, 2, 3)));
        Assert.Contains("4-D", error.Message);
    }
}
