#!/usr/bin/env python3
"""Times PyTorch's pooling on the shapes of `./fovea bench ops` (batch 1, NCHW, float32, 1 thread).

Run with the Debian interpreter that has torch: /usr/bin/python3 scripts/bench/torch_pool.py
Prints the median of 7 runs of 200 calls each, in ms per call, after 200 warm-up calls.
"""
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
SHAPES = [
    ("maxpool2x2.64x112", lambda x: F.max_pool2d(x, 2, 2), (64, 112)),
    ("avgpool3x3s1.64x56", lambda x: F.avg_pool2d(x, 3, 1, 1), (64, 56)),
    ("resnet18.maxpool", lambda x: F.max_pool2d(x, 3, 2, 1), (64, 112)),
    ("vgg16.pool1", lambda x: F.max_pool2d(x, 2, 2), (64, 224)),
    ("lenet5.pool1", lambda x: F.max_pool2d(x, 2, 2), (6, 28)),
    ("densenet.avgpool2x2", lambda x: F.avg_pool2d(x, 2, 2), (128, 56)),
]

print("torch %s, %d thread(s)" % (torch.__version__, torch.get_num_threads()))
with torch.no_grad():
    for name, fn, (c, hw) in SHAPES:
        x = torch.randn(1, c, hw, hw)
        for _ in range(200):
            fn(x)
        runs = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(200):
                fn(x)
            runs.append((time.perf_counter() - t0) / 200 * 1e3)
        runs.sort()
        print("%-20s %.4f ms" % (name, runs[3]))
