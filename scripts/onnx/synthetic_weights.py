#!/usr/bin/env python3
"""Deterministic synthetic weights for the ONNX test models (see export_models.py).

The big fixture models (resnet18, vgg11, mobilenet_v2, unet_small) are committed as graphs only;
their weights.bin is not in the repository. Every parameter and buffer is instead set, before the
export, by a formula of the state_dict key (which is also the ONNX initializer name) and the dims,
so a Java test can rebuild weights.bin bit for bit with 64-bit integer and float32 arithmetic.

All integer arithmetic is unsigned 64-bit, modulo 2^64, and every >> is a logical shift
(Java: >>>, Long.remainderUnsigned is never needed).

  seed   = FNV-1a 64 of the UTF-8 bytes of the key:
             h = 0xcbf29ce484222325; for each byte b: h = (h ^ b) * 0x100000001b3
  z_j    = splitmix64(seed + j * 0x9E3779B97F4A7C15)     j = 0, 1, ... element index, row-major
  splitmix64(x): z = x
                 z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
                 z = (z ^ (z >> 27)) * 0x94D049BB133111EB
                 z =  z ^ (z >> 31)
  u_j    = ((z_j >> 40) / 2^24) * 2 - 1                  exact in float32: (k - 2^23) / 2^23 with
                                                         k = z_j >> 40 (24 bits); u in [-1, 1)

The value is computed in float32 (each operation rounded to float32, no fused multiply-add), with
the constants below being float32 literals (Java: 0.1f, 0.25f, 1f):

  role    which keys                               value
  weight  ends with "weight", rank >= 2            u * s,  s = (float) (1.0 / Math.sqrt(fanIn)),
                                                           fanIn = numel / dims[0] (also for
                                                           ConvTranspose, whose dims[0] is inC)
  scale   ends with "weight", rank 1 (BN gamma)    1f + 0.1f * u
  bias    ends with "bias"                         0.1f * u
  mean    ends with "running_mean"                 0.1f * u
  var     ends with "running_var"                  1f + 0.25f * (u + 1f)        in [1, 1.5)

num_batches_tracked (int64) is left untouched; it is not part of the exported graph.

Self-check (python3 synthetic_weights.py): key "conv1.weight", dims [64, 3, 7, 7] starts with
the values printed by main().
"""
import math
import sys

import numpy as np

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
MASK = (1 << 64) - 1

CHUNK = 1 << 22  # elements per vectorised block (bounds the temporary uint64 arrays)


def fnv1a64(key: str) -> int:
    h = FNV_OFFSET
    for b in key.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def splitmix64(x: np.ndarray) -> np.ndarray:
    """Vectorised splitmix64 finaliser on a uint64 array (wraps mod 2^64, logical shifts)."""
    z = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= np.uint64(M1)
        z ^= z >> np.uint64(27)
        z *= np.uint64(M2)
        z ^= z >> np.uint64(31)
    return z


def uniform(key: str, numel: int) -> np.ndarray:
    """The float32 u_j in [-1, 1) for j = 0 .. numel-1 of the given key."""
    seed = np.uint64(fnv1a64(key))
    out = np.empty(numel, dtype=np.float32)
    for start in range(0, numel, CHUNK):
        j = np.arange(start, min(numel, start + CHUNK), dtype=np.uint64)
        with np.errstate(over="ignore"):
            x = seed + j * np.uint64(GOLDEN)
        k = (splitmix64(x) >> np.uint64(40)).astype(np.int64)  # 24-bit integer
        # (k / 2^24) * 2 - 1 == (k - 2^23) / 2^23, exact in float64 and in float32
        out[start:start + len(j)] = ((k - (1 << 23)).astype(np.float64) / float(1 << 23)).astype(np.float32)
    return out


def role(key: str, dims) -> str:
    if key.endswith("running_mean"):
        return "mean"
    if key.endswith("running_var"):
        return "var"
    if key.endswith("num_batches_tracked"):
        return "skip"
    if key.endswith("weight"):
        return "weight" if len(dims) >= 2 else "scale"
    if key.endswith("bias"):
        return "bias"
    raise ValueError("no synthetic-weight role for key " + key)


def values(key: str, dims) -> np.ndarray:
    """The float32 tensor of the formula for (key, dims), shaped dims."""
    dims = [int(d) for d in dims]
    numel = int(np.prod(dims, dtype=np.int64)) if dims else 1
    r = role(key, dims)
    if r == "skip":
        raise ValueError("num_batches_tracked has no synthetic value")
    u = uniform(key, numel)
    f32 = np.float32
    if r == "weight":
        fan_in = numel // dims[0]
        s = f32(1.0 / math.sqrt(fan_in))
        v = u * s
    elif r == "scale":
        v = f32(1.0) + f32(0.1) * u
    elif r in ("bias", "mean"):
        v = f32(0.1) * u
    else:  # var
        v = f32(1.0) + f32(0.25) * (u + f32(1.0))
    assert v.dtype == np.float32
    return v.reshape(dims)


def apply_to_module(module) -> list:
    """Overwrites every float parameter and buffer of a torch module with the formula.

    Returns the list of (key, dims, role) that were set (num_batches_tracked is skipped)."""
    import torch
    done = []
    with torch.no_grad():
        for key, t in module.state_dict(keep_vars=True).items():
            dims = list(t.shape)
            r = role(key, dims)
            if r == "skip":
                continue
            if t.dtype != torch.float32:
                raise ValueError("%s: expected float32, got %s" % (key, t.dtype))
            t.copy_(torch.from_numpy(values(key, dims)))
            done.append((key, dims, r))
    return done


def main():
    key, dims = "conv1.weight", [64, 3, 7, 7]
    v = values(key, dims).reshape(-1)
    print("fnv1a64(%r) = 0x%016x" % (key, fnv1a64(key)))
    print("%s %s role=%s s=%r" % (key, dims, role(key, dims), float(np.float32(1.0 / math.sqrt(147)))))
    for j in range(4):
        print("  [%d] u=%r value=%r (float32 bits 0x%08x)" % (
            j, float(uniform(key, 4)[j]), float(v[j]), v[j:j + 1].view(np.uint32)[0]))
    print("  float64 sum =", repr(float(v.astype(np.float64).sum())))
    # Cross-check the vectorised path against plain Python integers.
    seed = fnv1a64(key)
    for j in range(4):
        z = (seed + j * GOLDEN) & MASK
        z = ((z ^ (z >> 30)) * M1) & MASK
        z = ((z ^ (z >> 27)) * M2) & MASK
        z = z ^ (z >> 31)
        u = ((z >> 40) / 2.0 ** 24) * 2 - 1
        assert np.float32(u) == uniform(key, 4)[j], (j, u)
    return 0


if __name__ == "__main__":
    sys.exit(main())
