#!/usr/bin/python3
"""Loads IstaNas' safetensors export into DARTS' own network and checks its logits.

Builds NetworkCIFAR or NetworkImageNet from quark0/darts' cnn/model.py with the genotype and sizes recorded in the
file's metadata, loads the weights with load_state_dict(strict=True), and compares its evaluation-mode logits on the
batch of an `istanas export --reference` file with IstaNas' logits and, when --onnx is given, with the ONNX export run
by a small interpreter on torch (the Debian packages have no ONNX runtime). Exits 1 when a difference exceeds --tolerance.

Needs Debian's python3-torch (and python3-onnx for --onnx); safetensors is parsed by tools/safetensors_file.py, the format is simple.

    OMP_NUM_THREADS=1 /usr/bin/python3 tools/darts-reference/check_safetensors.py --darts DARTS_CHECKOUT \
        --weights model.safetensors --reference reference.json [--onnx model.onnx]

DARTS' code is used as it is, with one change made in memory only (the checkout is not touched): cnn/model.py imports
drop_path from cnn/utils.py, which imports torchvision (not needed here and not packaged with python3-torch); a stand-in
`utils` module with DARTS' drop_path (on the CPU instead of torch.cuda.FloatTensor) is put in sys.modules first.
drop_path only acts in training mode, so it is never called here.
"""

import argparse
import ast
import contextlib
import io
import json
import os
import sys
import types

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetensors_file import read_safetensors  # noqa: E402  (tools/safetensors_file.py)


def parse_genotype(text, genotype_type):
    """Genotype(normal=[...], normal_concat=..., reduce=[...], reduce_concat=...) read as literals, never evaluated."""
    call = ast.parse(text, mode="eval").body
    if not isinstance(call, ast.Call) or getattr(call.func, "id", None) != "Genotype" or call.args:
        raise SystemExit(f"the genotype in the metadata is not Genotype(normal=..., ...): {text}")
    fields = {}
    for keyword in call.keywords:
        value = keyword.value
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "range":
            fields[keyword.arg] = list(range(*[ast.literal_eval(a) for a in value.args]))
        else:
            fields[keyword.arg] = ast.literal_eval(value)
    return genotype_type(**fields)


def import_darts(checkout):
    cnn = os.path.join(checkout, "cnn")
    if not os.path.isfile(os.path.join(cnn, "model.py")):
        raise SystemExit(f"{checkout} is not a quark0/darts checkout (no cnn/model.py)")
    utils = types.ModuleType("utils")

    def drop_path(x, drop_prob):  # DARTS' cnn/utils.py drop_path, on the CPU
        if drop_prob > 0.:
            keep_prob = 1. - drop_prob
            mask = torch.empty(x.size(0), 1, 1, 1, device=x.device).bernoulli_(keep_prob)
            x.div_(keep_prob)
            x.mul_(mask)
        return x

    utils.drop_path = drop_path
    sys.modules["utils"] = utils
    sys.path.insert(0, cnn)
    import genotypes  # noqa: E402
    import model  # noqa: E402
    return model, genotypes


def run_onnx(path, images):
    """Runs the ONNX graph IstaNas writes (opset 13) with torch operations."""
    import onnx
    from onnx import helper, numpy_helper
    graph = onnx.load(path).graph
    values = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    values[graph.input[0].name] = images
    for node in graph.node:
        a = {att.name: helper.get_attribute_value(att) for att in node.attribute}
        x = [values[name] if name else None for name in node.input]
        op = node.op_type
        if op in ("Conv", "MaxPool", "AveragePool"):
            pads = list(a.get("pads", [0, 0, 0, 0]))
            if pads[:2] != pads[2:]:
                raise SystemExit(f"{node.name}: asymmetric pads {pads}")
        if op == "Conv":
            y = torch.nn.functional.conv2d(x[0], x[1], x[2] if len(x) > 2 else None, stride=list(a["strides"]),
                                           padding=pads[:2], dilation=list(a.get("dilations", [1, 1])), groups=a.get("group", 1))
        elif op == "BatchNormalization":
            y = torch.nn.functional.batch_norm(x[0], x[3], x[4], x[1], x[2], training=False, eps=a.get("epsilon", 1e-5))
        elif op == "Relu":
            y = torch.relu(x[0])
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Concat":
            y = torch.cat(x, dim=a["axis"])
        elif op == "MaxPool":
            y = torch.nn.functional.max_pool2d(x[0], list(a["kernel_shape"]), list(a["strides"]), pads[:2],
                                               dilation=list(a.get("dilations", [1, 1])), ceil_mode=bool(a.get("ceil_mode", 0)))
        elif op == "AveragePool":
            y = torch.nn.functional.avg_pool2d(x[0], list(a["kernel_shape"]), list(a["strides"]), pads[:2],
                                               ceil_mode=bool(a.get("ceil_mode", 0)), count_include_pad=bool(a.get("count_include_pad", 0)))
        elif op == "GlobalAveragePool":
            y = x[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            axis = a.get("axis", 1)
            y = x[0].reshape(int(torch.tensor(x[0].shape[:axis]).prod()), -1)
        elif op == "Gemm":
            m1 = x[0].t() if a.get("transA", 0) else x[0]
            m2 = x[1].t() if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (m1 @ m2)
            if len(x) > 2 and x[2] is not None:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "Slice":
            starts, ends = x[1].tolist(), x[2].tolist()
            axes = x[3].tolist() if len(x) > 3 and x[3] is not None else list(range(len(starts)))
            steps = x[4].tolist() if len(x) > 4 and x[4] is not None else [1] * len(starts)
            index = [slice(None)] * x[0].dim()
            for s, e, ax, st in zip(starts, ends, axes, steps):
                index[ax] = slice(s, min(e, x[0].shape[ax]), st)
            y = x[0][tuple(index)]
        elif op == "Shape":
            y = torch.tensor(list(x[0].shape), dtype=torch.int64)
        elif op == "ConstantOfShape":
            value = torch.from_numpy(numpy_helper.to_array(a["value"]).copy()).reshape(())
            y = torch.full(x[0].tolist(), value.item(), dtype=value.dtype)
        else:
            raise SystemExit(f"{path}: the ONNX operator {op} ({node.name}) is not implemented by this checker")
        values[node.output[0]] = y
    return values[graph.output[0].name]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--darts", required=True, help="a quark0/darts checkout (its cnn/ folder is imported)")
    parser.add_argument("--weights", required=True, help="the file written by `export --safetensors`")
    parser.add_argument("--reference", required=True, help="the file written by `export --reference`")
    parser.add_argument("--onnx", help="the file written by `export --onnx` (optional)")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    torch.set_num_threads(1)
    metadata, state = read_safetensors(args.weights)
    model, genotypes = import_darts(args.darts)
    genotype = parse_genotype(metadata["genotype"], genotypes.Genotype)
    if metadata.get("input_channels", "3") != "3":
        raise SystemExit(f"DARTS' model.py builds 3-channel stems; this network takes {metadata['input_channels']} channels")
    network_type = getattr(model, metadata["darts_model"])
    with contextlib.redirect_stdout(io.StringIO()):  # DARTS' Cell prints its channel counts
        network = network_type(int(metadata["C"]), int(metadata["num_classes"]), int(metadata["layers"]),
                               metadata["auxiliary"] == "True", genotype)
    network.load_state_dict(state, strict=True)
    network.drop_path_prob = 0.0
    network.eval()

    with open(args.reference) as f:
        reference = json.load(f)
    images = torch.tensor(reference["images"], dtype=torch.float32).reshape(reference["images_shape"])
    istanas = torch.tensor(reference["logits"], dtype=torch.float32).reshape(reference["logits_shape"])
    with torch.no_grad():
        darts, _ = network(images)
        onnx_logits = run_onnx(args.onnx, images) if args.onnx else None

    print(f"{metadata['darts_model']}(C={metadata['C']}, num_classes={metadata['num_classes']}, layers={metadata['layers']}, "
          f"auxiliary={metadata['auxiliary']}) loaded {len(state)} tensors with strict=True; batch {list(images.shape)}")
    differences = {"DARTS - IstaNas": (darts - istanas).abs().max().item()}
    if onnx_logits is not None:
        differences["DARTS - ONNX"] = (darts - onnx_logits).abs().max().item()
        differences["ONNX - IstaNas"] = (onnx_logits - istanas).abs().max().item()
    for what, value in differences.items():
        print(f"max |{what}| = {value:.3e}")
    worst = max(differences.values())
    if not worst <= args.tolerance:
        print(f"FAILED: {worst:.3e} exceeds the tolerance {args.tolerance:g}")
        return 1
    print(f"OK: every difference is within {args.tolerance:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
