#!/usr/bin/python3
"""Select ONNX backend conformance cases that Fovea can be expected to run.

Source: Debian package libonnx-testdata (1.12.0-2, ONNX project, Apache-2.0),
installed under /usr/share/libonnx-testdata/data/{node,pytorch-converted,
pytorch-operator,simple}.  Each case is a folder with model.onnx and
test_data_set_N/{input_K.pb,output_K.pb} (serialized onnx.TensorProto).

A case is copied, byte for byte, to
    test/src/test/resources/onnx/conformance/<suite>/<case>/
(model.onnx and every test_data_set_* folder) when
  * every node (including nodes of sub-graphs) is in the default domain
    ("" or "ai.onnx") and its op type is in SUPPORTED_OPS;
  * every graph input/output/value_info is a tensor (no sequence/optional/map)
    whose element type is in ALLOWED_TYPES, and so is every initializer,
    every tensor attribute (Constant, ConstantOfShape, ...), every Cast target
    and every tensor in the test data sets;
  * it is an inference-mode case: no Dropout whose training_mode input is
    (or may be) true, no BatchNormalization with training_mode=1, is_test=0
    or more than one output;
  * Resize/Upsample use mode "nearest" or "linear" (no cubic);
  * it is not larger than LARGE_CASE_BYTES, unless it is the only copied case
    for one of its ops (large cases are dropped largest first).

Also written next to the cases:
  index.tsv    one line per copied case (no header):
               suite, case, sorted comma-separated op types,
               default-domain opset version, number of test data sets
  skipped.tsv  one line per case (no header) that uses at least one
               supported op but was not copied: suite, case, reason
  LICENSE, NOTICE.md

Run from anywhere:  /usr/bin/python3 scripts/onnx/select_conformance.py
Requires the onnx (1.12) and numpy python packages.  Re-running replaces the
previously generated suite folders and files.
"""

import glob
import os
import shutil
import sys

import onnx
from onnx import TensorProto, numpy_helper

SRC_ROOT = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
PACKAGE = "libonnx-testdata"
PACKAGE_VERSION = "1.12.0-2"
APACHE_LICENSE = "/usr/share/common-licenses/Apache-2.0"

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEST_ROOT = os.path.join(REPO_ROOT, "test", "src", "test", "resources", "onnx", "conformance")

SUPPORTED_OPS = frozenset("""
Conv ConvTranspose MaxPool AveragePool GlobalAveragePool GlobalMaxPool LpPool
Gemm MatMul BatchNormalization InstanceNormalization LRN Relu LeakyRelu PRelu
Elu Selu Sigmoid HardSigmoid HardSwish Tanh Clip Softmax LogSoftmax Softplus
Erf Add Sub Mul Div Pow Sqrt Exp Log Neg Abs Sum Mean Max Min ReduceMean
ReduceSum ReduceMax Concat Split Slice Flatten Reshape Transpose Squeeze
Unsqueeze Pad Resize Upsample Dropout Identity Constant ConstantOfShape Shape
Gather Cast Range
""".split())

DEFAULT_DOMAINS = ("", "ai.onnx")

ALLOWED_TYPES = {
    TensorProto.FLOAT: "float32",
    TensorProto.INT64: "int64",
    TensorProto.INT32: "int32",
    TensorProto.BOOL: "bool",
}

RESIZE_MODES = ("nearest", "linear")

# Cases larger than this are left out when every op they use is also used by
# some other copied case (keeps the copied tree at a few MB).
LARGE_CASE_BYTES = 2_000_000


def type_name(elem_type):
    try:
        return TensorProto.DataType.Name(elem_type).lower()
    except ValueError:
        return "type%d" % elem_type


class Skip(Exception):
    pass


def iter_graphs(graph):
    """The graph and all its sub-graphs (If/Loop/Scan bodies, ...)."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from iter_graphs(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from iter_graphs(g)


def collect_ops(model):
    """Set of (domain, op_type) over all graphs."""
    ops = set()
    for g in iter_graphs(model.graph):
        for node in g.node:
            ops.add((node.domain, node.op_type))
    return ops


def check_value_info(vi, what, problems):
    t = vi.type
    kind = t.WhichOneof("value")
    if kind != "tensor_type":
        problems.append("%s %s is a %s, not a tensor" % (what, vi.name, kind))
        return
    et = t.tensor_type.elem_type
    if et not in ALLOWED_TYPES:
        problems.append("%s %s has element type %s" % (what, vi.name, type_name(et)))


def check_tensor(tensor, what, problems):
    if tensor.data_type not in ALLOWED_TYPES:
        problems.append("%s %s has element type %s" % (what, tensor.name or "?", type_name(tensor.data_type)))


def check_types(model):
    problems = []
    for g in iter_graphs(model.graph):
        for vi in g.input:
            check_value_info(vi, "input", problems)
        for vi in g.output:
            check_value_info(vi, "output", problems)
        for vi in g.value_info:
            check_value_info(vi, "value_info", problems)
        for init in g.initializer:
            check_tensor(init, "initializer", problems)
        for sp in g.sparse_initializer:
            problems.append("sparse initializer %s" % sp.values.name)
        for node in g.node:
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.TENSOR:
                    check_tensor(attr.t, "%s.%s tensor" % (node.op_type, attr.name), problems)
                elif attr.type == onnx.AttributeProto.TENSORS:
                    for t in attr.tensors:
                        check_tensor(t, "%s.%s tensor" % (node.op_type, attr.name), problems)
                elif attr.type in (onnx.AttributeProto.SPARSE_TENSOR, onnx.AttributeProto.SPARSE_TENSORS):
                    problems.append("%s.%s is a sparse tensor" % (node.op_type, attr.name))
            if node.op_type == "Cast" and node.domain in DEFAULT_DOMAINS:
                for attr in node.attribute:
                    if attr.name == "to" and attr.i not in ALLOWED_TYPES:
                        problems.append("Cast to %s" % type_name(attr.i))
    return problems


def attr_value(node, name, default=None):
    for attr in node.attribute:
        if attr.name == name:
            return onnx.helper.get_attribute_value(attr)
    return default


def load_tensor(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t


def data_sets(case_dir):
    return sorted(d for d in glob.glob(os.path.join(case_dir, "test_data_set_*")) if os.path.isdir(d))


def known_values(model, case_dir):
    """Map name -> list of possible numpy values (initializers, Constant outputs,
    graph inputs from each test data set)."""
    values = {}
    g = model.graph
    for init in g.initializer:
        values.setdefault(init.name, []).append(numpy_helper.to_array(init))
    for node in g.node:
        if node.op_type == "Constant" and node.domain in DEFAULT_DOMAINS:
            v = attr_value(node, "value")
            if isinstance(v, TensorProto):
                values.setdefault(node.output[0], []).append(numpy_helper.to_array(v))
    init_names = {i.name for i in g.initializer}
    real_inputs = [vi.name for vi in g.input if vi.name not in init_names]
    for ds in data_sets(case_dir):
        for k, name in enumerate(real_inputs):
            p = os.path.join(ds, "input_%d.pb" % k)
            if os.path.exists(p):
                try:
                    values.setdefault(name, []).append(numpy_helper.to_array(load_tensor(p)))
                except Exception:
                    pass
    return values


def check_semantics(model, case_dir):
    """Training-mode and unsupported-mode checks.  Returns list of problems."""
    problems = []
    values = None
    for g in iter_graphs(model.graph):
        for node in g.node:
            if node.domain not in DEFAULT_DOMAINS:
                continue
            op = node.op_type
            if op == "Dropout":
                if len(node.input) > 2 and node.input[2]:
                    if values is None:
                        values = known_values(model, case_dir)
                    vals = values.get(node.input[2])
                    if not vals:
                        problems.append("Dropout training_mode input %s has unknown value" % node.input[2])
                    elif any(bool(v.any()) for v in vals):
                        problems.append("Dropout training_mode=true")
                if attr_value(node, "is_test", 1) == 0:
                    problems.append("Dropout is_test=0 (training mode, old opset)")
            elif op == "BatchNormalization":
                if attr_value(node, "training_mode", 0) == 1:
                    problems.append("BatchNormalization training_mode=1")
                if attr_value(node, "is_test", 1) == 0 and len(node.output) > 1:
                    problems.append("BatchNormalization is_test=0 (training mode, old opset)")
                if len([o for o in node.output if o]) > 1:
                    problems.append("BatchNormalization with %d outputs (training mode)" % len(node.output))
            elif op in ("Resize", "Upsample"):
                mode = attr_value(node, "mode", b"nearest")
                if isinstance(mode, bytes):
                    mode = mode.decode()
                if mode not in RESIZE_MODES:
                    problems.append("%s mode=%s" % (op, mode))
    return problems


def check_test_data(case_dir):
    problems = []
    sets = data_sets(case_dir)
    if not sets:
        problems.append("no test_data_set")
    for ds in sets:
        for p in sorted(glob.glob(os.path.join(ds, "*.pb"))):
            try:
                t = load_tensor(p)
            except Exception as e:  # sequence/optional protos do not parse as TensorProto reliably
                problems.append("%s is not a TensorProto (%s)" % (os.path.relpath(p, case_dir), e))
                continue
            if t.data_type not in ALLOWED_TYPES:
                problems.append("%s has element type %s" % (os.path.relpath(p, case_dir), type_name(t.data_type)))
    return problems


def default_opset(model):
    for imp in model.opset_import:
        if imp.domain in DEFAULT_DOMAINS:
            return imp.version
    return ""


def dedup(items):
    seen = []
    for i in items:
        if i not in seen:
            seen.append(i)
    return seen


def tree_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def case_size(case_dir):
    """Bytes of what would be copied: model.onnx and the test data sets."""
    return os.path.getsize(os.path.join(case_dir, "model.onnx")) + sum(tree_size(d) for d in data_sets(case_dir))


def evaluate(case_dir):
    """Returns (copy?, ops, reason, uses_supported_op)."""
    model = onnx.load(os.path.join(case_dir, "model.onnx"), load_external_data=False)
    ops = collect_ops(model)
    uses_ours = any(d in DEFAULT_DOMAINS and o in SUPPORTED_OPS for d, o in ops)
    reasons = []
    foreign = sorted("%s:%s" % (d, o) for d, o in ops if d not in DEFAULT_DOMAINS)
    if foreign:
        reasons.append("non-default-domain ops: " + ",".join(foreign))
    unsupported = sorted(o for d, o in ops if d in DEFAULT_DOMAINS and o not in SUPPORTED_OPS)
    if unsupported:
        reasons.append("unsupported ops: " + ",".join(unsupported))
    if not reasons:
        reasons += dedup(check_types(model))
        if not reasons:  # test data only checked when the model itself is fine
            reasons += dedup(check_test_data(case_dir))
        reasons += dedup(check_semantics(model, case_dir))
    op_names = sorted({o for _, o in ops})
    return (not reasons), op_names, default_opset(model), "; ".join(reasons), uses_ours


NOTICE = """# ONNX backend conformance cases

The folders `node/`, `pytorch-converted/`, `pytorch-operator/` and `simple/`
contain ONNX backend test cases (`model.onnx` plus `test_data_set_N/`
`input_K.pb` / `output_K.pb`, serialized `onnx.TensorProto`) taken from the
Debian package **{package} {version}** (source package `onnx`,
installed under `{src}`), which ships the backend test data of the
**ONNX project** (https://github.com/onnx/onnx, release 1.12.0).

ONNX 1.12.0 is licensed under the **Apache License, Version 2.0**; see
`LICENSE` in this folder (copied from `{apache}`).
Copyright: Facebook, Inc.; Microsoft Corporation; ONNX Project Contributors.

Note: the Debian copyright file of the package
(`/usr/share/doc/{package}/copyright`) still lists `Files: *` under the
Expat (MIT) licence, carried over from the pre-relicensing 1.7.0 packaging;
upstream ONNX relicensed from MIT to Apache-2.0 in 2020 (onnx/onnx#2781,
onnx/onnx#3159), before 1.12.0.  For completeness, the Expat notice quoted
by Debian is:

> Permission is hereby granted, free of charge, to any person obtaining a
> copy of this software and associated documentation files (the "Software"),
> to deal in the Software without restriction, including without limitation
> the rights to use, copy, modify, merge, publish, distribute, sublicense,
> and/or sell copies of the Software, and to permit persons to whom the
> Software is furnished to do so, subject to the following conditions:
>
> The above copyright notice and this permission notice shall be included
> in all copies or substantial portions of the Software.
>
> THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
> OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
> MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
> IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
> CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
> TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
> SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The cases were selected and copied **unchanged** (byte for byte) by
`scripts/onnx/select_conformance.py`; only a subset of cases is included,
nothing inside a case was modified.  Files generated by that script:

* `index.tsv` (no header): suite, case, op types used (sorted,
  comma-separated), default-domain opset version, number of test data sets.
* `skipped.tsv` (no header): suite, case, reason - every case of the four
  suites that uses at least one supported op but was not copied.
"""


def main():
    os.makedirs(DEST_ROOT, exist_ok=True)
    for suite in SUITES:
        d = os.path.join(DEST_ROOT, suite)
        if os.path.isdir(d):
            shutil.rmtree(d)

    index_rows, skipped_rows, selected = [], [], []
    ignored = 0
    for suite in SUITES:
        suite_dir = os.path.join(SRC_ROOT, suite)
        for case in sorted(os.listdir(suite_dir)):
            case_dir = os.path.join(suite_dir, case)
            if not os.path.isfile(os.path.join(case_dir, "model.onnx")):
                continue
            try:
                ok, ops, opset, reason, uses_ours = evaluate(case_dir)
            except Exception as e:
                ok, ops, opset, reason, uses_ours = False, [], "", "error: %s" % e, True
            if ok:
                selected.append((suite, case, case_dir, ops, opset))
            elif uses_ours:
                skipped_rows.append((suite, case, reason))
            else:
                ignored += 1

    # Drop large cases whose ops are all covered by other selected cases.
    sizes = {(s, c): case_size(d) for s, c, d, _, _ in selected}
    for key in sorted(sizes, key=sizes.get, reverse=True):
        if sizes[key] <= LARGE_CASE_BYTES:
            break
        ops = next(o for s, c, _, o, _ in selected if (s, c) == key)
        others = set()
        for s, c, _, o, _ in selected:
            if (s, c) != key:
                others.update(o)
        if set(ops) <= others:
            selected = [r for r in selected if (r[0], r[1]) != key]
            skipped_rows.append((key[0], key[1], "too large (%.1f MB); ops %s covered by other copied cases"
                                 % (sizes[key] / 1e6, ",".join(ops))))
    skipped_rows.sort(key=lambda r: (SUITES.index(r[0]), r[1]))

    for suite, case, case_dir, ops, opset in selected:
        dest = os.path.join(DEST_ROOT, suite, case)
        os.makedirs(dest)
        shutil.copyfile(os.path.join(case_dir, "model.onnx"), os.path.join(dest, "model.onnx"))
        sets = data_sets(case_dir)
        for ds in sets:
            shutil.copytree(ds, os.path.join(dest, os.path.basename(ds)), copy_function=shutil.copyfile)
        index_rows.append((suite, case, ",".join(ops), str(opset), str(len(sets))))

    with open(os.path.join(DEST_ROOT, "index.tsv"), "w") as f:
        for row in index_rows:
            f.write("\t".join(row) + "\n")
    with open(os.path.join(DEST_ROOT, "skipped.tsv"), "w") as f:
        for row in skipped_rows:
            f.write("\t".join(row) + "\n")
    shutil.copyfile(APACHE_LICENSE, os.path.join(DEST_ROOT, "LICENSE"))
    with open(os.path.join(DEST_ROOT, "NOTICE.md"), "w") as f:
        f.write(NOTICE.format(package=PACKAGE, version=PACKAGE_VERSION, src=SRC_ROOT, apache=APACHE_LICENSE))

    print("copied %d cases, skipped %d (listed), ignored %d (no supported op)"
          % (len(index_rows), len(skipped_rows), ignored), file=sys.stderr)
    for suite in SUITES:
        n = sum(1 for r in index_rows if r[0] == suite)
        print("  %-18s %4d copied" % (suite, n), file=sys.stderr)
    print("total size %.2f MB" % (tree_size(DEST_ROOT) / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
