#!/usr/bin/env python3
"""A tiny, independent ONNX interpreter for the fixture graphs (no onnxruntime on this machine).

It runs a model.onnx node by node with torch.nn.functional / numpy, following the ONNX operator
definitions (not PyTorch's), and compares the result with the stored output.npy. It only knows the
ops the fixtures use. export_models.py calls check() before weights.bin is deleted; standalone:
    /usr/bin/python3 scripts/onnx/export_models.py --keep-weights
    /usr/bin/python3 scripts/onnx/onnx_reference_eval.py test/src/test/resources/onnx/models/*/
(then delete the weights.bin files again).

This caught torch 1.13's wrong circular-padding export (pytorch/pytorch#86690), see
export_models.py.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _t(a):
    return torch.from_numpy(np.array(a, copy=True))


def _slice(data, starts, ends, axes, steps):
    d = data.numpy()
    axes = axes if axes is not None else list(range(len(starts)))
    steps = steps if steps is not None else [1] * len(starts)
    for s, e, ax, st in zip(starts, ends, axes, steps):
        ax = ax + d.ndim if ax < 0 else ax
        dim = d.shape[ax]
        s = s + dim if s < 0 else s
        e = e + dim if e < 0 else e
        if st > 0:
            s, e = min(max(s, 0), dim), min(max(e, 0), dim)
        else:
            s, e = min(max(s, 0), dim - 1), min(max(e, -1), dim - 1)
        d = np.take(d, np.arange(s, e, st, dtype=np.int64), axis=ax)
    return _t(d)


def _sym_pads(pads, op):
    k = len(pads) // 2
    if list(pads[:k]) != list(pads[k:]):
        raise NotImplementedError(op + " with asymmetric pads")
    return list(pads[:k])


def run(model, x):
    env = {t.name: _t(numpy_helper.to_array(t)) for t in model.graph.initializer}
    env[model.graph.input[0].name] = torch.from_numpy(x)
    for n in model.graph.node:
        a = _attrs(n)
        i = [env[k] if k else None for k in n.input]
        op = n.op_type
        if op == "Constant":
            y = _t(numpy_helper.to_array(a["value"]))
        elif op == "Shape":
            y = torch.tensor(list(i[0].shape), dtype=torch.int64)
        elif op == "Gather":
            y = _t(np.take(i[0].numpy(), i[1].numpy(), axis=a.get("axis", 0)))
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Sub":
            y = i[0] - i[1]
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Cast":
            y = _t(i[0].numpy().astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]))
        elif op == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"])
            y = _t(np.full(i[0].tolist(), v.reshape(-1)[0], dtype=v.dtype))
        elif op == "Concat":
            y = torch.cat(i, a["axis"])
        elif op == "Reshape":
            shape = [s if s != 0 else i[0].shape[k] for k, s in enumerate(i[1].tolist())]
            y = i[0].reshape(shape)
        elif op == "Transpose":
            y = i[0].permute(*a["perm"])
        elif op == "Slice":
            y = _slice(i[0], i[1].tolist(), i[2].tolist(),
                       i[3].tolist() if len(i) > 3 and i[3] is not None else None,
                       i[4].tolist() if len(i) > 4 and i[4] is not None else None)
        elif op == "Pad":
            p = i[1].tolist()
            r = len(p) // 2
            mode = a.get("mode", b"constant").decode()
            value = float(i[2]) if len(i) > 2 and i[2] is not None else 0.0
            if any(v < 0 for v in p):
                raise NotImplementedError("negative Pad")
            d = np.pad(i[0].numpy(), [(p[k], p[r + k]) for k in range(r)],
                       mode={"reflect": "reflect", "edge": "edge", "constant": "constant"}[mode],
                       **({"constant_values": value} if mode == "constant" else {}))
            y = _t(d)
        elif op in ("Conv", "ConvTranspose"):
            k = len(a["kernel_shape"])
            if k != 2 or a.get("auto_pad", b"NOTSET") != b"NOTSET":
                raise NotImplementedError(op)
            pads = _sym_pads(a.get("pads", [0] * 2 * k), op)
            b = i[2] if len(i) > 2 else None
            if op == "Conv":
                y = F.conv2d(i[0], i[1], b, a.get("strides", [1] * k), pads,
                             a.get("dilations", [1] * k), a.get("group", 1))
            else:
                y = F.conv_transpose2d(i[0], i[1], b, a.get("strides", [1] * k), pads,
                                       a.get("output_padding", [0] * k), a.get("group", 1),
                                       a.get("dilations", [1] * k))
        elif op == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
        elif op == "Relu":
            y = F.relu(i[0])
        elif op == "Clip":
            y = torch.clamp(i[0], float(i[1]) if len(i) > 1 and i[1] is not None else None,
                            float(i[2]) if len(i) > 2 and i[2] is not None else None)
        elif op in ("MaxPool", "AveragePool"):
            k = a["kernel_shape"]
            pads = _sym_pads(a.get("pads", [0] * 2 * len(k)), op)
            if a.get("ceil_mode", 0) or len(k) != 2:
                raise NotImplementedError(op)
            if op == "MaxPool":
                y = F.max_pool2d(i[0], k, a.get("strides", [1, 1]), pads, a.get("dilations", [1, 1]))
            else:
                y = F.avg_pool2d(i[0], k, a.get("strides", [1, 1]), pads,
                                 count_include_pad=bool(a.get("count_include_pad", 0)))
        elif op == "GlobalAveragePool":
            y = i[0].mean(dim=tuple(range(2, i[0].dim())), keepdim=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Gemm":
            A = i[0].t() if a.get("transA", 0) else i[0]
            B = i[1].t() if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
        elif op == "Identity":
            y = i[0]
        else:
            raise NotImplementedError(op)
        env[n.output[0]] = y
    return env[model.graph.output[0].name].numpy()


def check(folder, tol=1e-5):
    """Runs folder/model.onnx (with its external data) on every input*.npy; returns [(file, err)]."""
    torch.set_num_threads(1)
    model = onnx.load(os.path.join(folder, "model.onnx"))
    results = []
    for suffix in ("", "_b2"):
        xin = os.path.join(folder, "input%s.npy" % suffix)
        if not os.path.exists(xin):
            continue
        ref = np.load(os.path.join(folder, "output%s.npy" % suffix))
        with torch.no_grad():
            y = run(model, np.load(xin))
        if y.shape != ref.shape:
            raise AssertionError("%s: shape %s != %s" % (xin, y.shape, ref.shape))
        err = float(np.abs(y - ref).max())
        if not err <= tol * (1.0 + float(np.abs(ref).max())):
            raise AssertionError("%s: ONNX graph disagrees with output%s.npy, max |diff| %g"
                                 % (folder, suffix, err))
        results.append(("output%s.npy" % suffix, err))
    return results


def main(argv):
    for folder in argv:
        for name, err in check(folder):
            print("%s %s max|diff| %.3g" % (folder, name, err))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
