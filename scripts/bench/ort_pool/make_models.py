#!/usr/bin/env python3
"""Writes one-node ONNX models (opset 13) of the pooling shapes of `./fovea bench ops`.

Run with the Debian interpreter that has onnx, from this folder:
    /usr/bin/python3 make_models.py
then time them with ONNX Runtime's Java API (see OrtPool.java).
"""
import onnx
from onnx import TensorProto, helper

SHAPES = [
    ("maxpool2x2.64x112", "MaxPool", 64, 112, 2, 2, 0),
    ("avgpool3x3s1.64x56", "AveragePool", 64, 56, 3, 1, 1),
    ("resnet18.maxpool", "MaxPool", 64, 112, 3, 2, 1),
    ("vgg16.pool1", "MaxPool", 64, 224, 2, 2, 0),
    ("lenet5.pool1", "MaxPool", 6, 28, 2, 2, 0),
    ("densenet.avgpool2x2", "AveragePool", 128, 56, 2, 2, 0),
]

for name, op, c, hw, k, s, p in SHAPES:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, hw, hw])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    extra = {"count_include_pad": 1} if op == "AveragePool" else {}
    node = helper.make_node(op, ["x"], ["y"], kernel_shape=[k, k], strides=[s, s], pads=[p] * 4, **extra)
    model = helper.make_model(helper.make_graph([node], name, [x], [y]),
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, name + ".onnx")
    print("wrote", name + ".onnx")
