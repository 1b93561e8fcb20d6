#!/usr/bin/env python3
"""Per-operation timing of the search cell's building blocks in PyTorch, for side-by-side comparison with IstaNas.

Each operation runs forward and backward (of the output's sum) on a random input that requires a gradient, at the
size of the speed issue's micro-benchmark (B=64, C=32, 16x16 by default): the dense, depthwise and pointwise
convolutions of SepConv and DilConv, a non-affine training BN, ReLU, both 3x3 pools, the node's weighted sum and the
cell's concatenation, and a whole sep_conv_3x3. The same list, names and sizes as the `ops-process` mode of
benchmarks/IstaNas.Benchmarks (OpTiming.cs); `vs-pytorch-ops` there runs both, interleaved.

Run with Debian's PyTorch (apt-get install python3-torch): /usr/bin/python3 benchmarks/pytorch/ops.py --help
Prints one JSON object per operation: {"op": name, "ms": milliseconds per forward+backward}. Not a test.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def operations(c):
    """name -> (module or function of x, needs a second input)."""
    sep = nn.Sequential(
        nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=False),
        nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=False))
    conv3 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
    depthwise3 = nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False)
    depthwise5_dilated = nn.Conv2d(c, c, 5, 1, 4, dilation=2, groups=c, bias=False)
    pointwise = nn.Conv2d(c, c, 1, bias=False)
    bn = nn.BatchNorm2d(c, affine=False)
    alpha = torch.tensor([0.7, 0.3], requires_grad=True)
    return {
        "conv_3x3": conv3,
        "depthwise_3x3": depthwise3,
        "depthwise_5x5_dil2": depthwise5_dilated,
        "pointwise_1x1": pointwise,
        "batch_norm": bn,
        "relu": F.relu,
        "max_pool_3x3": lambda x: F.max_pool2d(x, 3, 1, 1),
        "avg_pool_3x3": lambda x: F.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
        "weighted_sum": lambda x: alpha[0] * x + alpha[1] * x,
        "cat_4": lambda x: torch.cat([x, x, x, x], dim=1),
        "sep_conv_3x3": sep,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--size", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--calls", type=int, default=40, help="measured calls per operation")
    p.add_argument("--warmup", type=int, default=5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.randn(args.batch, args.channels, args.size, args.size, requires_grad=True)
    for name, op in operations(args.channels).items():
        def call():
            op(x).sum().backward()
            x.grad = None
        for _ in range(args.warmup):
            call()
        start = time.perf_counter()
        for _ in range(args.calls):
            call()
        print(json.dumps({"op": name, "ms": (time.perf_counter() - start) * 1000.0 / args.calls}), flush=True)


if __name__ == "__main__":
    main()
