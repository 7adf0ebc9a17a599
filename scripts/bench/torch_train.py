#!/usr/bin/env python3
"""PyTorch's side of `./fovea bench train`: LeNet-5 on the full MNIST training set, batch 64, SGD with
momentum 0.9 and lr 0.01, shuffled, zero-padded to 32 x 32, cross-entropy; prints seconds and images
per second per epoch.

Run from the repository root with Debian's interpreter (PyTorch 1.13):
    /usr/bin/python3 scripts/bench/torch_train.py [--threads 1] [--epochs 2]

The images come from the same files (data/mnist/*.gz) and are held as one float tensor (scaled by
1/255, padded once), and each batch is a slice of a shuffled copy: PyTorch's fastest input path,
with no DataLoader or per-sample transform cost. Fovea's side pays for its DataLoader (per-sample
padding, prefetched on another thread), so the comparison favours PyTorch slightly.
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def idx(name):
    with gzip.open(os.path.join(ROOT, "data", "mnist", name + ".gz"), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class LeNet5(nn.Module):
    """Fovea's zoo LeNet-5: conv 5x5 (6), ReLU, max pool 2, conv 5x5 (16), ReLU, max pool 2, fc 120, 84, 10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    x = F.pad(x, (2, 2, 2, 2))
    y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    model = LeNet5()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    n = x.shape[0]
    for epoch in range(args.epochs):
        start = time.perf_counter()
        perm = torch.randperm(n)
        right = 0
        total_loss = 0.0
        for b in range(0, n, 64):
            idxs = perm[b:b + 64]
            xb, yb = x[idxs], y[idxs]
            opt.zero_grad()
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idxs)
            right += (out.argmax(1) == yb).sum().item()
        seconds = time.perf_counter() - start
        print("epoch=%d threads=%d seconds=%.3f images_per_second=%.1f loss=%.4f accuracy=%.4f torch=%s" % (
            epoch + 1, args.threads, seconds, n / seconds, total_loss / n, right / n, torch.__version__))


if __name__ == "__main__":
    main()
