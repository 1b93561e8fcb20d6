#!/usr/bin/env python3
"""A minimal PyTorch version of one ISTA-NAS two-stage search step, for side-by-side timing with IstaNas.

It is this project's own code, written from the method (docs/concepts.md) and DARTS' definitions of the operations:
a DARTS search super-net whose nodes run only the 2 candidates of their support, each scaled by
alpha = A_S^T b - (A_S^T A_S - I) z_S (differentiable in b, no softmax), non-affine BNs, a BN after every pool.
One step is what the authors' code runs per minibatch pair: an architecture step (forward and backward of the
validation loss - the backward also computes the weights' gradients, which the W-step then clears - and Adam on b),
then a W-step (forward, backward, gradient-norm clip 5, SGD with momentum and weight decay).

Run with Debian's PyTorch (apt-get install python3-torch): /usr/bin/python3 benchmarks/pytorch/search_step.py --help
It prints one JSON object per measured step and a final one with the peak RSS and the minor page faults.
Not a test: CI needs no Python.
"""
import argparse
import ctypes
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRIMITIVES = ["max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, kernel, stride, padding):
        super().__init__(nn.ReLU(), nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False), nn.BatchNorm2d(c_out, affine=False))


class SepConv(nn.Sequential):
    def __init__(self, c, kernel, stride, padding):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c, c, kernel, stride, padding, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c, affine=False),
            nn.ReLU(), nn.Conv2d(c, c, kernel, 1, padding, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c, affine=False))


class DilConv(nn.Sequential):
    def __init__(self, c, kernel, stride, padding, dilation):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c, c, kernel, stride, padding, dilation=dilation, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=False))


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=False)

    def forward(self, x):
        x = F.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


def operation(name, c, stride):
    if name == "max_pool_3x3":
        return nn.Sequential(nn.MaxPool2d(3, stride, 1), nn.BatchNorm2d(c, affine=False))
    if name == "avg_pool_3x3":
        return nn.Sequential(nn.AvgPool2d(3, stride, 1, count_include_pad=False), nn.BatchNorm2d(c, affine=False))
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name.startswith("sep_conv"):
        k = int(name[-1])
        return SepConv(c, k, stride, k // 2)
    k = int(name[-1])
    return DilConv(c, k, stride, k - 1, 2)


class Cell(nn.Module):
    def __init__(self, nodes, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.reduction = reduction
        self.pre0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.pre1 = ReLUConvBN(c_p, c, 1, 1, 0)
        # Every candidate of every node is built, as in the authors' MixedOp; only the support runs.
        self.candidates = nn.ModuleList(
            nn.ModuleList(operation(op, c, 2 if reduction and j < 2 else 1) for j in range(i + 2) for op in PRIMITIVES)
            for i in range(nodes))

    def forward(self, s0, s1, architecture):
        states = [self.pre0(s0), self.pre1(s1)]
        for node, (support, alpha) in zip(self.candidates, architecture):
            states.append(sum(alpha[k] * node[c](states[c // len(PRIMITIVES)]) for k, c in enumerate(support)))
        return torch.cat(states[2:], dim=1)


class SearchNetwork(nn.Module):
    def __init__(self, channels, layers, classes=10, nodes=4, stem_multiplier=3):
        super().__init__()
        c = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        c_pp, c_p, c = c, c, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            self.cells.append(Cell(nodes, c_pp, c_p, c, reduction, reduction_prev))
            reduction_prev = reduction
            c_pp, c_p = c_p, nodes * c
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, classes)

    def forward(self, x, normal, reduce):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, reduce if cell.reduction else normal)
        return self.classifier(self.pool(s1).flatten(1))


class CompressedSpace:
    """A (fixed, uniform), b (learnable) and a fixed sparse code z on the given supports, per node of both cells."""

    def __init__(self, supports, m=7, nodes=4, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.nodes = []
        for cell in ("normal", "reduce"):
            for i in range(nodes):
                n = (i + 2) * len(PRIMITIVES)
                a = torch.rand(m, n, generator=g)
                b = nn.Parameter(torch.randn(m, generator=g) * 1e-3)
                support = supports[cell][i]
                z_s = torch.randn(len(support), generator=g) * 1e-3
                a_s = a[:, support]
                self.nodes.append((cell, support, a_s, b, z_s))

    def parameters(self):
        return [b for (_, _, _, b, _) in self.nodes]

    def architecture(self, cell):
        # alpha_S = A_S^T b + (z_S - A_S^T A_S z_S): linear in b, as the method defines it.
        return [(support, a_s.t() @ b + (z_s - a_s.t() @ (a_s @ z_s)))
                for (c, support, a_s, b, z_s) in self.nodes if c == cell]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def malloc_mb():
    """glibc's mallinfo2 in MB: in use in the heap, free but kept, in mmapped chunks."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    mb = 1024.0 * 1024.0
    return info.uordblks / mb, info.fordblks / mb, info.hblkhd / mb


def rss_mb():
    """VmRSS of /proc/self/status in MB (the resident set now)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=8)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10, help="measured steps")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--supports", type=str, required=True,
                   help='JSON {"normal": [[c, c], ...], "reduce": [[c, c], ...]}: the 2 candidates of each node')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    supports = json.loads(args.supports)

    net = SearchNetwork(args.channels, args.layers)
    space = CompressedSpace(supports, seed=args.seed)
    weights = list(net.parameters())
    w_opt = torch.optim.SGD(weights, 0.025, momentum=0.9, weight_decay=3e-4)
    b_opt = torch.optim.Adam(space.parameters(), 3e-4, betas=(0.5, 0.999), weight_decay=1e-3)
    train_x, valid_x = torch.randn(args.batch, 3, 32, 32), torch.randn(args.batch, 3, 32, 32)
    train_y, valid_y = torch.randint(0, 10, (args.batch,)), torch.randint(0, 10, (args.batch,))
    net.train()

    def step():
        b_opt.zero_grad()
        loss = F.cross_entropy(net(valid_x, space.architecture("normal"), space.architecture("reduce")), valid_y)
        loss.backward()
        b_opt.step()
        w_opt.zero_grad()
        loss = F.cross_entropy(net(train_x, space.architecture("normal"), space.architecture("reduce")), train_y)
        loss.backward()
        # as the authors' inner_trainer.py: the norm over model.parameters(), b included (its gradient: both steps')
        nn.utils.clip_grad_norm_(weights + list(space.parameters()), 5.0)
        w_opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    for i in range(args.steps):
        start = time.perf_counter()
        step()
        print(json.dumps({"step": i, "seconds": time.perf_counter() - start, "rssMb": rss_mb(), "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                          "heapInUseMb": malloc_mb()[0], "heapFreeKeptMb": malloc_mb()[1], "mappedMb": malloc_mb()[2]}), flush=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"peakRssMb": usage.ru_maxrss / 1024.0, "minorFaults": usage.ru_minflt, "threads": torch.get_num_threads(),
                      "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
