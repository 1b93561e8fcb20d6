#!/usr/bin/python3
"""jacob_cov of IstaNas against SamsungLabs/zero-cost-nas' own code, weight for weight and over weight draws.

compare: for each cell file that `IstaNas.Benchmarks nb201-jacobcov --out DIR` wrote (IstaNas' model state before
scoring, the batch, its labels, IstaNas' per-sample input gradients and score), builds zero-cost-nas' NAS-Bench-201 model
of the cell (`nasbench2.get_model_from_arch_str`), loads IstaNas' weights into it (every IstaNas tensor mapped to one
reference tensor of the same shape, every tensor the cell uses covered; the operations the cell does not use keep
their own weights, they are never called), scores it with the reference's `predictive.find_measures(...,
measure_names=['jacob_cov'])` on the same batch and labels, and compares the per-sample input gradients
(`jacob_cov.get_batch_jacobian`) and the scores. Exits 1 when a gradient or a score differs by more than --tolerance
(relative). To tell the two halves apart it also scores IstaNas' gradients with the reference's `eval_score`.

seeds: jacob_cov of the reference code with its own weight draws, as its `nasbench2_pred.py` does (`torch.manual_seed(seed)`
once, then every cell's model built and scored in turn), for the cells of an `nb201-jacobcov --scores FILE` file and the
batch of one cell file; prints Spearman's rho against the table's test accuracy per seed, and against IstaNas' scores.

summary: rho against the table of each score file (IstaNas' with several init seeds, the reference's seeds), their mean
and spread, and how well the files' scores agree with each other cell by cell.

Needs Debian's python3-torch and python3-numpy only (safetensors is parsed here; Spearman's rho is computed here).
The zero-cost-nas checkout is used as it is (imported from --zero-cost, never changed, never committed here).

    OMP_NUM_THREADS=1 /usr/bin/python3 tools/zero-cost-reference/compare_jacob_cov.py compare --zero-cost ZC --dump DIR
    OMP_NUM_THREADS=1 /usr/bin/python3 tools/zero-cost-reference/compare_jacob_cov.py seeds --zero-cost ZC \
        --scores scores.csv --batch DIR/cell-0000.safetensors --seeds 42 0 1 --out ref
    OMP_NUM_THREADS=1 /usr/bin/python3 tools/zero-cost-reference/compare_jacob_cov.py summary ista-*.csv ref-seed*.csv
"""

import argparse
import csv
import glob
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetensors_file import read_safetensors  # noqa: E402  (tools/safetensors_file.py)

# IstaNas' operation indices (Nb201Architecture.Operations) -> the reference's OPS order
# (none, avg_pool_3x3, nor_conv_3x3, nor_conv_1x1, skip_connect), found by name below.
ISTANAS_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def load_reference(checkout):
    if not os.path.isfile(os.path.join(checkout, "foresight", "models", "nasbench2.py")):
        raise SystemExit(f"--zero-cost {checkout}: not a SamsungLabs/zero-cost-nas checkout (no foresight/models/nasbench2.py)")
    sys.path.insert(0, os.path.abspath(checkout))
    from foresight.models import nasbench2, nasbench2_ops
    from foresight.pruners import predictive
    from foresight.pruners.measures import jacob_cov
    return nasbench2, list(nasbench2_ops.OPS.keys()), predictive, jacob_cov


def reference_name(name, arch_edges, ref_ops):
    """The reference's state_dict name of IstaNas' Nb201Network state name (FixedSearchModel(cell, batchNorm: true))."""
    parts = name.split(".")
    if parts[0] == "stem_conv":
        return "stem.net.0." + parts[1]
    if parts[0] == "stem_bn":
        return "stem.net.1." + parts[1]
    if parts[0] == "lastact_bn":
        return "top.lastact.0." + parts[1]
    if parts[0] == "classifier":
        return "top.classifier." + parts[1]
    if parts[0] == "cells":
        k = int(parts[1])
        if k in (5, 11):
            block = "reduction1" if k == 5 else "reduction2"
            if parts[2] == "downsample_conv":
                return f"{block}.residual.1.{parts[3]}"
            layer = {"conv": "1", "bn": "2"}[parts[3]]
            return f"{block}.{parts[2]}.op.{layer}.{parts[4]}"
        stage, position = (1, k) if k < 5 else (2, k - 6) if k < 11 else (3, k - 12)
        if parts[2] != "layers":
            raise SystemExit(f"unexpected IstaNas state name {name}")
        edge = int(parts[3])
        option = edge * len(ref_ops) + ref_ops.index(ISTANAS_OPS[arch_edges[edge]])
        layer = {"conv": "1", "bn": "2"}[parts[4]]
        return f"stack_cell{stage}.{position}.options.{option}.op.{layer}.{parts[5]}"
    raise SystemExit(f"unexpected IstaNas state name {name}")


def arch_edges(arch):
    """IstaNas' operation index of each edge (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2) of a '|op~0|+|op~0|op~1|+...' string."""
    edges = []
    for node in arch.split("+"):
        for token in node.strip("|").split("|"):
            edges.append(ISTANAS_OPS.index(token.split("~")[0]))
    return edges


def ranks(values):
    """Ranks 1..n, ties given their average rank."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    result = np.empty(len(values))
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[order[j + 1]] == values[order[i]]:
            j += 1
        result[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    keep = ~(np.isnan(a) | np.isnan(b))
    return float(np.corrcoef(ranks(a[keep]), ranks(b[keep]))[0, 1]), int(keep.sum())


def real_score(value):
    """The reference's score as a float: NaN stays NaN; a complex score (np.linalg.eig) is kept when its imaginary part is 0."""
    value = complex(value)
    if value.imag != 0:
        return float("nan")
    return value.real


def compare(args):
    nasbench2, ref_ops, predictive, jacob_cov = load_reference(args.zero_cost)
    files = sorted(glob.glob(os.path.join(args.dump, "cell-*.safetensors")))
    if not files:
        raise SystemExit(f"--dump {args.dump}: no cell-*.safetensors files (write them with IstaNas.Benchmarks nb201-jacobcov --out DIR)")
    worst_gradient, worst_score, failures = 0.0, 0.0, 0
    ista_scores, ref_scores, accuracies = [], [], []
    print("position | arch | IstaNas | reference | reference eval_score of IstaNas' gradients | max |dgrad| / max |grad|")
    for path in files:
        meta, tensors = read_safetensors(path)
        arch = meta["arch"]
        edges = arch_edges(arch)
        torch.manual_seed(0)
        net = nasbench2.get_model_from_arch_str(arch, 10)
        ref_state = net.state_dict()
        keep_mask = net.stack_cell1[0].keep_mask
        live = {n for n in ref_state
                if not (".options." in n and not keep_mask[int(n.split(".options.")[1].split(".")[0])])}
        mapped = {}
        for name, value in tensors.items():
            if not name.startswith("state."):
                continue
            target = reference_name(name[len("state."):], edges, ref_ops)
            if target not in ref_state:
                raise SystemExit(f"{path}: IstaNas' {name} maps to {target}, which the reference model has not")
            if tuple(ref_state[target].shape) != tuple(value.shape):
                raise SystemExit(f"{path}: {name} {tuple(value.shape)} and the reference's {target} {tuple(ref_state[target].shape)} differ in shape")
            mapped[target] = value
        if set(mapped) != live:
            raise SystemExit(f"{path}: the reference's tensors {sorted(live - set(mapped))} have no IstaNas counterpart; "
                             f"IstaNas' {sorted(set(mapped) - live)} are extra")
        ref_state.update(mapped)
        net.load_state_dict(ref_state, strict=True)
        inputs, labels = tensors["input"], tensors["labels"]
        # The reference's own path: find_measures copies the model (get_prunable_copy), puts it in training mode and scores it.
        measures = predictive.find_measures(net, [(inputs.clone(), labels.clone())], ("random", 1, 10), torch.device("cpu"),
                                            measure_names=["jacob_cov"])
        ref_score = real_score(measures["jacob_cov"])
        copy = net.get_prunable_copy(bn=True)
        gradients, _ = jacob_cov.get_batch_jacobian(copy, inputs.clone(), labels, torch.device("cpu"), split_data=1)
        ista_gradients = tensors["gradients"]
        scale = float(gradients.abs().max())
        gradient_difference = float((gradients - ista_gradients).abs().max()) / scale if scale > 0 else float((gradients - ista_gradients).abs().max())
        with np.errstate(all="ignore"):
            try:
                cross = real_score(jacob_cov.eval_score(ista_gradients.reshape(len(ista_gradients), -1).numpy()))
            except np.linalg.LinAlgError:
                cross = float("nan")
        ista_score = float(meta["jacob_cov"])
        score_difference = 0.0 if (np.isnan(ista_score) and np.isnan(ref_score)) else abs(ista_score - ref_score) / max(abs(ref_score), 1e-12)
        if np.isnan(score_difference) or score_difference > args.tolerance or gradient_difference > args.tolerance:
            failures += 1
        worst_gradient = max(worst_gradient, gradient_difference)
        worst_score = max(worst_score, score_difference if not np.isnan(score_difference) else np.inf)
        ista_scores.append(ista_score)
        ref_scores.append(ref_score)
        accuracies.append(float(meta["test_accuracy"]))
        print(f"{meta['position']} | {arch} | {ista_score:.6f} | {ref_score:.6f} | {cross:.6f} | {gradient_difference:.2e}")
    rho_ista, n_ista = spearman(ista_scores, accuracies)
    rho_ref, n_ref = spearman(ref_scores, accuracies)
    print(f"{len(files)} cells: largest relative gradient difference {worst_gradient:.2e}, largest relative score difference {worst_score:.2e}")
    print(f"Spearman rho vs test accuracy on these cells: IstaNas {rho_ista:.3f} ({n_ista} scored), reference {rho_ref:.3f} ({n_ref} scored)")
    if failures:
        print(f"{failures} of {len(files)} cells differ by more than --tolerance {args.tolerance}")
        return 1
    return 0


def seeds(args):
    nasbench2, _, predictive, _ = load_reference(args.zero_cost)
    with open(args.scores, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "arch" not in rows[0]:
        raise SystemExit(f"--scores {args.scores}: no rows with an arch column (write it with IstaNas.Benchmarks nb201-jacobcov --scores FILE)")
    _, tensors = read_safetensors(args.batch)
    inputs, labels = tensors["input"], tensors["labels"]
    accuracies = [float(r["test_accuracy"]) for r in rows]
    ista = [float(r["jacob_cov"]) for r in rows]
    rho, n = spearman(ista, accuracies)
    print(f"# {len(rows)} cells of {args.scores}, batch of {args.batch} ({len(inputs)} images)")
    print(f"IstaNas (the file's scores): rho {rho:.3f} ({n} scored)")
    for seed in args.seeds:
        torch.manual_seed(seed)
        scores = []
        for r in rows:
            net = nasbench2.get_model_from_arch_str(r["arch"], 10)
            with np.errstate(all="ignore"):
                measures = predictive.find_measures(net, [(inputs.clone(), labels.clone())], ("random", 1, 10), torch.device("cpu"),
                                                    measure_names=["jacob_cov"])
            scores.append(real_score(measures["jacob_cov"]))
        rho, n = spearman(scores, accuracies)
        agree, _ = spearman(scores, ista)
        print(f"reference seed {seed}: rho {rho:.3f} ({n} scored); Spearman with IstaNas' scores {agree:.3f}", flush=True)
        if args.out:
            with open(f"{args.out}-seed{seed}.csv", "w") as f:
                f.write("arch,test_accuracy,jacob_cov\n")
                for r, s in zip(rows, scores):
                    f.write(f"{r['arch']},{r['test_accuracy']},{s!r}\n")
    return 0


def summary(args):
    """rho against the table of each score file, mean and spread per group, and the scores' agreement between files."""
    tables = []
    for path in args.files:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows or not {"arch", "test_accuracy", "jacob_cov"} <= set(rows[0]):
            raise SystemExit(f"{path}: needs the columns arch, test_accuracy and jacob_cov (nb201-jacobcov --scores or seeds --out)")
        tables.append((path, {r["arch"]: (float(r["test_accuracy"]), float(r["jacob_cov"])) for r in rows}))
    cells = sorted(set.intersection(*(set(t) for _, t in tables)))
    print(f"# {len(cells)} cells common to {len(tables)} files")
    rhos = []
    for path, table in tables:
        rho, n = spearman([table[c][1] for c in cells], [table[c][0] for c in cells])
        rhos.append(rho)
        print(f"{path}: rho {rho:.3f} ({n} scored)")
    print(f"rho over the files: mean {np.mean(rhos):.3f}, std {np.std(rhos, ddof=1) if len(rhos) > 1 else 0:.3f}, min {min(rhos):.3f}, max {max(rhos):.3f}")
    print("Spearman rho between the files' scores:")
    for i, (a, ta) in enumerate(tables):
        row = [f"{spearman([ta[c][1] for c in cells], [tb[c][1] for c in cells])[0]:.3f}" for b, tb in tables]
        print(f"  {os.path.basename(a)}: {' '.join(row)}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("compare", help="weight-for-weight comparison of nb201-jacobcov --out files")
    c.add_argument("--zero-cost", required=True, help="a SamsungLabs/zero-cost-nas checkout")
    c.add_argument("--dump", required=True, help="the folder nb201-jacobcov --out wrote")
    c.add_argument("--tolerance", type=float, default=1e-3, help="largest relative difference of a gradient or a score")
    s = sub.add_parser("seeds", help="the reference's rho with its own weight draws")
    s.add_argument("--zero-cost", required=True, help="a SamsungLabs/zero-cost-nas checkout")
    s.add_argument("--scores", required=True, help="an nb201-jacobcov --scores file (the cells, their accuracy, IstaNas' scores)")
    s.add_argument("--batch", required=True, help="one nb201-jacobcov --out cell file (its input and labels are used)")
    s.add_argument("--seeds", type=int, nargs="+", default=[42])
    s.add_argument("--out", help="also write the reference's scores to OUT-seedS.csv")
    m = sub.add_parser("summary", help="rho of score files against the table, and their agreement")
    m.add_argument("files", nargs="+", help="nb201-jacobcov --scores files and seeds --out files")
    args = parser.parse_args()
    return {"compare": compare, "seeds": seeds, "summary": summary}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
