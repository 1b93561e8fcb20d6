using IstaNas.Networks;

namespace IstaNas.Tests.Networks;

public class ParameterCountTests
{
    // C = 36, L = 20, 10 classes, auxiliary head on (excluded from the count, as DARTS' count_parameters_in_MB does).
    // DARTS V2 = 3,349,342 is the exact PyTorch count of NetworkCIFAR(36, 10, 20, True, DARTS_V2) without the head.
    // The "with BN" column is the one-stage form: an affine BN (2C parameters) after every pool and identity skip.
    [Theory]
    [InlineData("darts_v2", 3_349_342, 3_358_846)]
    [InlineData("ista_two_stage", 3_316_726, 3_323_638)]
    [InlineData("ista_one_stage", 3_363_598, 3_371_806)]
    [InlineData("ista_imagenet", 4_017_862, 4_021_750)]
    public void CifarNetworkParameterCounts(string genotype, long expected, long expectedWithBatchNorm)
    {
        var (normal, reduce) = KnownTopologies.ByName(genotype);
        using var net = new EvaluationNetwork(new EvaluationNetworkOptions { Auxiliary = true }, normal, reduce);
        using var withBatchNorm = new EvaluationNetwork(new EvaluationNetworkOptions { Auxiliary = true, BatchNormAfterParameterFree = true }, normal, reduce);
        Assert.Equal(expected, net.ParameterCount);
        Assert.Equal(expectedWithBatchNorm, withBatchNorm.ParameterCount);
    }

    [Fact]
    public void AuxiliaryHeadIsCountedSeparately()
    {
        var (normal, reduce) = KnownTopologies.DartsV2;
        using var withHead = new EvaluationNetwork(new EvaluationNetworkOptions { Auxiliary = true }, normal, reduce);
        using var withoutHead = new EvaluationNetwork(new EvaluationNetworkOptions { Auxiliary = false }, normal, reduce);
        // ReLU, avg pool, conv 576->128 (73,728), BN (256), conv 128->768 2x2 (393,216), BN (1,536), linear 768->10 (7,690).
        Assert.Equal(476_426, withHead.AuxiliaryParameterCount);
        Assert.Equal(0, withoutHead.AuxiliaryParameterCount);
        Assert.Equal(withoutHead.ParameterCount, withHead.ParameterCount);
        Assert.Equal(withHead.ParameterCount + 476_426, NetworkTestHelpers.CountParameters(withHead));
    }

    [Fact]
    public void DartsV2CountAgreesWithClosedForm()
    {
        // Independent hand count of DARTS V2 for C = 36: the cell layout is fixed, so it suffices to sum per-cell terms.
        static long Bn(long c) => 2 * c;
        static long ReluConvBn(long cin, long cout) => cin * cout + Bn(cout);
        static long FactorizedReduce(long cin, long cout) => 2 * cin * (cout / 2) + Bn(cout);
        static long SepConv(long c, long k) => 2 * (c * k * k + c * c + Bn(c));
        static long DilConv(long c, long k) => c * k * k + c * c + Bn(c);
        long NormalOps(long c) => 5 * SepConv(c, 3) + DilConv(c, 3);
        long total = 3 * 108 * 9 + Bn(108); // stem: conv 3x3 from 3 channels to 3C, BN
        long prevPrev = 108, prev = 108, cc = 36;
        bool reductionPrev = false;
        for (int i = 0; i < 20; i++)
        {
            bool reduction = i == 6 || i == 13;
            if (reduction)
            {
                cc *= 2;
            }

            total += reductionPrev ? FactorizedReduce(prevPrev, cc) : ReluConvBn(prevPrev, cc);
            total += ReluConvBn(prev, cc);
            total += reduction ? 0 : NormalOps(cc); // the DARTS V2 reduce cell has only max pools and stride-1 identity skips
            reductionPrev = reduction;
            prevPrev = prev;
            prev = 4 * cc;
        }

        total += prev * 10 + 10; // classifier
        Assert.Equal(3_349_342, total);
        var (normal, reduce) = KnownTopologies.DartsV2;
        using var net = new EvaluationNetwork(new EvaluationNetworkOptions(), normal, reduce);
        Assert.Equal(total, net.ParameterCount);
    }
}
