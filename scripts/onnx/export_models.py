#!/usr/bin/env python3
"""Exports the ONNX importer's test models with reference inputs and outputs.

Run from anywhere with the Debian interpreter that has torch 1.13 / torchvision 0.14 / onnx 1.12:
    /usr/bin/python3 scripts/onnx/export_models.py [name ...] [--keep-weights]
Output: test/src/test/resources/onnx/models/<name>/
    model.onnx               the graph (opset 13)
    input.npy, output.npy    float32 reference pair, batch 1
    input_b2.npy, output_b2.npy
                             batch-2 pair (lenet5, resnet18) for the dynamic batch axis; sample 0
                             of input_b2 is input.npy, so output_b2[0] ~ output[0]
    manifest.json            (external-weight models only) the external initializers

Models:
    lenet5              LeNet-5, 1x32x32, weights inline (torch.manual_seed(0) default init)
    conv_padding_modes  reflect / replicate / circular padded convs, 3x12x12, weights inline
    resnet18            torchvision resnet18, 3x224x224, synthetic external weights
    vgg11               torchvision vgg11, 3x224x224, synthetic external weights
    mobilenet_v2        torchvision mobilenet_v2, 3x224x224, synthetic external weights
    unet_small          2-level U-Net (8/16/32 channels), 3x64x64, synthetic external weights

External-weight models: before the export every parameter and buffer is overwritten with the
formula of synthetic_weights.py (a function of the state_dict key and dims), the ONNX initializers
(all named by their state_dict key) are moved to weights.bin, and weights.bin is deleted again
(unless --keep-weights): a Java test regenerates it from manifest.json / the graph.

The export uses the arguments opset_version=13, do_constant_folding=False,
input_names=["input"], output_names=["output"], dynamic batch axis on both. Models that contain
BatchNorm are exported with training=TrainingMode.PRESERVE (the model is still in eval mode, so
BatchNormalization is the inference form): with the default TrainingMode.EVAL, torch 1.13 runs
_jit_pass_onnx_eval_peephole, which folds BatchNorm into the preceding Conv and emits new
initializers named onnx::Conv_NNN whose values are not reproducible from the formula.
"""
import argparse
import collections
import hashlib
import io
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import external_data_helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_reference_eval as ref_eval  # noqa: E402
import synthetic_weights as sw  # noqa: E402

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                    "test", "src", "test", "resources", "onnx", "models"))
OPSET = 13
WEIGHTS = "weights.bin"


# ---------------------------------------------------------------- models

class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class ConvPaddingModes(nn.Module):
    def __init__(self):
        super().__init__()
        self.reflect = nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect")
        self.replicate = nn.Conv2d(4, 4, 3, padding=2, padding_mode="replicate")
        self.circular = nn.Conv2d(4, 2, 3, padding=1, padding_mode="circular")

    def forward(self, x):
        return self.circular(self.replicate(self.reflect(x)))


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNetSmall(nn.Module):
    """Two down levels: 3 -> 8 -> (pool) 16 -> (pool) 32, then back up with transposed convs."""

    def __init__(self, cin=3, classes=2):
        super().__init__()
        self.enc1 = DoubleConv(cin, 8)
        self.enc2 = DoubleConv(8, 16)
        self.bottleneck = DoubleConv(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2)
        self.dec2 = DoubleConv(32, 16)
        self.up1 = nn.ConvTranspose2d(16, 8, kernel_size=2, stride=2)
        self.dec1 = DoubleConv(16, 8)
        self.head = nn.Conv2d(8, classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottleneck(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1)


# name -> (factory, input shape without batch, external weights, batch-2 pair)
MODELS = collections.OrderedDict([
    ("lenet5", (LeNet5, (1, 32, 32), False, True)),
    ("conv_padding_modes", (ConvPaddingModes, (3, 12, 12), False, False)),
    ("resnet18", (lambda: torchvision.models.resnet18(), (3, 224, 224), True, True)),
    ("vgg11", (lambda: torchvision.models.vgg11(), (3, 224, 224), True, False)),
    ("mobilenet_v2", (lambda: torchvision.models.mobilenet_v2(), (3, 224, 224), True, False)),
    ("unet_small", (UNetSmall, (3, 64, 64), True, False)),
])


# ---------------------------------------------------------------- exporter fix

INT64_MAX = 9223372036854775807


def _pad_symbolic_fixed_circular(g, input, pad, mode, value):
    """aten::pad symbolic with the circular-mode fix of PyTorch PR #86984.

    torch 1.13's opset9._pad_circular (pytorch/pytorch#86690) slices the wrapped-around left part
    as x[-(p+1):-1] instead of x[-p:] (and swaps the left/right amounts), so the exported graph does
    not compute what the module computes. This is the upstream fixed version; the other modes
    (reflect, replicate, constant) go to the stock opset 11 symbolic unchanged."""
    from torch.onnx import symbolic_helper, symbolic_opset9, symbolic_opset11
    if symbolic_helper._parse_arg(mode, "s") != "circular":
        return symbolic_opset11.pad(g, input, pad, mode, value)
    padding = symbolic_opset9._convert_padding_node(pad)
    assert len(padding) % 2 == 0
    cur = input
    for idx in range(len(padding) // 2):
        pad_r = padding[-(2 * idx + 1)]
        pad_l = padding[-(2 * idx + 2)]
        tensors = []
        if pad_l > 0:
            tensors.append(symbolic_helper._slice_helper(
                g, cur, axes=[2 + idx], starts=[-pad_l], ends=[INT64_MAX]))
        if pad_l < 0 or pad_r < 0:
            tensors.append(symbolic_helper._slice_helper(
                g, cur, axes=[2 + idx], starts=[max(0, -pad_l)], ends=[-max(0, -pad_r)]))
        else:
            tensors.append(cur)
        if pad_r > 0:
            tensors.append(symbolic_helper._slice_helper(
                g, cur, axes=[2 + idx], starts=[0], ends=[pad_r]))
        cur = g.op("Concat", *tensors, axis_i=2 + idx)
    return cur


def install_exporter_fixes():
    if torch.__version__.startswith(("1.", "2.0")):
        torch.onnx.register_custom_op_symbolic("aten::pad", _pad_symbolic_fixed_circular, OPSET)


# ---------------------------------------------------------------- helpers

def op_counts(graph):
    counts = collections.Counter()
    for node in graph.node:
        counts[node.op_type] += 1
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                counts.update(op_counts(attr.g))
            for g in attr.graphs:
                counts.update(op_counts(g))
    return counts


def float_list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def export_onnx(model, x, training):
    buf = io.BytesIO()
    torch.onnx.export(
        model, x, buf,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=False,
        keep_initializers_as_inputs=False,
        training=training,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    return onnx.load_from_string(buf.getvalue())


def externalize(m, state_keys, folder, name):
    """Moves the state_dict initializers of m to folder/weights.bin; returns the manifest."""
    path = os.path.join(folder, "model.onnx")
    wpath = os.path.join(folder, WEIGHTS)
    if os.path.exists(wpath):
        os.remove(wpath)  # onnx appends to an existing file
    inline, external = [], []
    for t in m.graph.initializer:
        if t.name in state_keys and t.data_type == onnx.TensorProto.FLOAT:
            if not t.HasField("raw_data"):  # write_external_data_tensors needs raw_data
                arr = numpy_helper.to_array(t)
                t.raw_data = arr.astype("<f4").tobytes()
                del t.float_data[:]
            external_data_helper.set_external_data(t, WEIGHTS)
            external.append(t.name)
        else:
            inline.append(t.name)
    if not inline:
        # Same result as the plain call (every initializer goes to weights.bin in graph order).
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=WEIGHTS, size_threshold=0)
    else:
        # Only the marked (state_dict) tensors go to weights.bin; the others stay inline.
        onnx.save_model(m, path)

    g = onnx.load(path, load_external_data=False).graph
    tensors, expected_offset = [], 0
    for t in g.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            continue
        info = {e.key: e.value for e in t.external_data}
        offset, length = int(info.get("offset", 0)), int(info["length"])
        assert info["location"] == WEIGHTS, info
        assert offset == expected_offset, (t.name, offset, expected_offset)
        expected_offset = offset + length
        dims = [int(d) for d in t.dims]
        vals = sw.values(t.name, dims).reshape(-1)
        assert length == vals.size * 4, (t.name, length, vals.size)
        tensors.append(collections.OrderedDict([
            ("name", t.name),
            ("dims", dims),
            ("data_type", "float32"),
            ("role", sw.role(t.name, dims)),
            ("offset", offset),
            ("length", length),
            ("first4", float_list(vals[:4])),
            ("first4_bits", ["0x%08x" % b for b in vals[:4].view(np.uint32)]),
            ("sum", math.fsum(vals.astype(np.float64).tolist())),
        ]))
    with open(wpath, "rb") as f:
        blob = f.read()
    assert len(blob) == expected_offset, (len(blob), expected_offset)
    # weights.bin must be exactly the concatenation of the formula tensors (little-endian float32)
    regenerated = b"".join(sw.values(t["name"], t["dims"]).astype("<f4").tobytes() for t in tensors)
    assert regenerated == blob, name + ": weights.bin differs from the formula"
    manifest = collections.OrderedDict([
        ("model", name),
        ("opset", OPSET),
        ("weights_file", WEIGHTS),
        ("weights_size", len(blob)),
        ("weights_sha256", hashlib.sha256(blob).hexdigest()),
        ("sum_note", "sum = correctly rounded float64 sum (math.fsum) of the float32 values"),
        ("inline_initializers", inline),
        ("tensors", tensors),
    ])
    return manifest, inline


def write_manifest(path, manifest):
    """JSON with one line per tensor (keeps the committed file small and diffable)."""
    lines = ["{"]
    for k, v in manifest.items():
        if k != "tensors":
            lines.append("  %s: %s," % (json.dumps(k), json.dumps(v)))
    lines.append('  "tensors": [')
    rows = [json.dumps(t, separators=(",", ":")) for t in manifest["tensors"]]
    lines.append(",\n".join("    " + r for r in rows))
    lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == json.loads(json.dumps(manifest))
    with open(path, "w") as f:
        f.write(text)


def run(name, keep_weights):
    factory, shape, external, b2 = MODELS[name]
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    for stale in ("model.onnx", WEIGHTS, "manifest.json", "input_b2.npy", "output_b2.npy"):
        if os.path.exists(os.path.join(folder, stale)):
            os.remove(os.path.join(folder, stale))

    torch.manual_seed(0)
    model = factory().eval()
    if external:
        sw.apply_to_module(model)
    state = model.state_dict()
    has_bn = any(isinstance(mod, nn.modules.batchnorm._BatchNorm) for mod in model.modules())
    training = torch.onnx.TrainingMode.PRESERVE if has_bn else torch.onnx.TrainingMode.EVAL

    torch.manual_seed(1)
    x = torch.randn((1,) + shape, dtype=torch.float32)
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(folder, "input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(folder, "output.npy"), y.numpy().astype(np.float32))
    if b2:
        torch.manual_seed(2)
        x2 = torch.cat([x, torch.randn((1,) + shape, dtype=torch.float32)], dim=0)
        with torch.no_grad():
            y2 = model(x2)
        np.save(os.path.join(folder, "input_b2.npy"), x2.numpy().astype(np.float32))
        np.save(os.path.join(folder, "output_b2.npy"), y2.numpy().astype(np.float32))

    m = export_onnx(model, x, training)
    onnx.checker.check_model(m)
    opsets = {o.domain or "ai.onnx": o.version for o in m.opset_import}
    assert opsets.get("ai.onnx") == OPSET, opsets

    # Every initializer should be a state_dict tensor with exactly the model's values.
    non_state = []
    for t in m.graph.initializer:
        if t.name in state:
            arr = numpy_helper.to_array(t)
            ref = state[t.name].detach().cpu().numpy()
            assert arr.shape == ref.shape and arr.dtype == ref.dtype, (t.name, arr.shape, ref.shape)
            assert np.array_equal(arr, ref), t.name + ": initializer differs from the state_dict"
        else:
            non_state.append((t.name, list(t.dims), onnx.TensorProto.DataType.Name(t.data_type)))
    init_names = {t.name for t in m.graph.initializer}
    missing = [k for k in state if k not in init_names and not k.endswith("num_batches_tracked")]

    report = collections.OrderedDict([
        ("name", name), ("opset", opsets), ("training_mode", str(training)),
        ("input", list(x.shape)), ("output", list(y.shape)),
        ("initializers", len(m.graph.initializer)),
        ("non_state_dict_initializers", non_state),
        ("state_dict_keys_not_initializers", missing),
        ("ops", dict(sorted(op_counts(m.graph).items()))),
    ])

    path = os.path.join(folder, "model.onnx")
    if external:
        manifest, inline = externalize(m, set(state.keys()), folder, name)
        report["external_tensors"] = len(manifest["tensors"])
        report["weights_size"] = manifest["weights_size"]
        report["weights_sha256"] = manifest["weights_sha256"]
        write_manifest(os.path.join(folder, "manifest.json"), manifest)
        # The saved graph must load with its external data, check clean and compute output.npy.
        onnx.checker.check_model(path)
        report["reference_eval_max_abs_diff"] = dict(ref_eval.check(folder))
        if not keep_weights:
            os.remove(os.path.join(folder, WEIGHTS))
    else:
        onnx.save_model(m, path)
        onnx.checker.check_model(path)
        report["reference_eval_max_abs_diff"] = dict(ref_eval.check(folder))
    report["files"] = {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="models to export (default: all)")
    ap.add_argument("--keep-weights", action="store_true", help="do not delete weights.bin")
    args = ap.parse_args()
    names = args.names or list(MODELS)
    for n in names:
        if n not in MODELS:
            ap.error("unknown model %s (known: %s)" % (n, ", ".join(MODELS)))
    torch.set_num_threads(1)
    install_exporter_fixes()
    print("torch", torch.__version__, "torchvision", torchvision.__version__, "onnx", onnx.__version__,
          "numpy", np.__version__)
    for n in names:
        report = run(n, args.keep_weights)
        print(json.dumps(report, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
