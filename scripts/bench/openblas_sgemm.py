#!/usr/bin/python3
"""Time OpenBLAS SGEMM through numpy, for the side-by-side with `./fovea bench gemm`.

Set-up (Debian): apt-get install python3-numpy libopenblas0-pthread
(the openblas package becomes numpy's libblas.so.3 through update-alternatives; this script
checks that and refuses to report reference-BLAS figures as OpenBLAS).

It prints the kernel family OpenBLAS chose (openblas_get_corename); on an AVX-512 CPU for which
OpenBLAS chose a kernel without AVX-512 (Debian's 0.3.21 does not know every model) it runs
itself again with OPENBLAS_CORETYPE=SkylakeX, so the comparison is with OpenBLAS's fast kernels.

Run it in the same session as the Fovea benchmark, on an otherwise idle machine:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bench/openblas_sgemm.py
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 scripts/bench/openblas_sgemm.py

Each shape is C = A @ B with float32, row-major, A (M x K), B (K x N), output preallocated
(np.matmul(out=...)), best of several timed repetitions after warm-up; GFLOP/s = 2MNK / time.
"""
import os
import subprocess
import sys
import time

import numpy as np

SHAPES = [
    ("square 64", 64, 64, 64), ("square 128", 128, 128, 128), ("square 256", 256, 256, 256),
    ("square 512", 512, 512, 512), ("square 1024", 1024, 1024, 1024),
    ("square 2048", 2048, 2048, 2048),
    ("resnet18.layer1 64x576x3136", 64, 576, 3136),
    ("resnet18.layer4 512x4608x49", 512, 4608, 49),
    ("vgg16.conv1_2 64x576x50176", 64, 576, 50176),
    ("lenet5.conv2 16x150x100", 16, 150, 100),
]


def blas_library():
    """Returns the shared library numpy's BLAS resolves to."""
    maps = open(f"/proc/{os.getpid()}/maps").read()
    libs = sorted({line.split()[-1] for line in maps.splitlines() if "blas" in line.lower()})
    return libs


def core_name(lib):
    """Returns the kernel family OpenBLAS picked for this CPU (openblas_get_corename), or '?'."""
    try:
        import ctypes
        f = ctypes.CDLL(lib).openblas_get_corename
        f.restype = ctypes.c_char_p
        return f().decode()
    except (OSError, AttributeError):
        return "?"


def cpu_has_avx512():
    return " avx512f " in " " + open("/proc/cpuinfo").read().split("flags", 1)[1].split("\n", 1)[0] + " "


def bench(m, k, n, min_seconds=0.5):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        if dt >= 0.05:
            break
        reps *= 2
    best = dt / reps
    deadline = time.perf_counter() + min_seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def main():
    np.zeros((8, 8), dtype=np.float32) @ np.zeros((8, 8), dtype=np.float32)
    libs = blas_library()
    if not any("openblas" in lib for lib in libs):
        sys.exit(f"numpy's BLAS is not OpenBLAS ({libs}): apt-get install libopenblas0-pthread")
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    lib = next(lib for lib in libs if "openblas" in lib)
    core = core_name(lib)
    # Debian's OpenBLAS 0.3.21 does not know every AVX-512 CPU (Intel family 6 model 207 is one):
    # it then runs a generic kernel at a fifth of the speed (32 against 150 GFLOP/s at 1024^3).
    # Comparing with that would flatter Fovea, so the script runs again with the AVX-512 kernels.
    # On AMD, OpenBLAS's 'Zen' kernels are AVX2, which reach the same FMA peak on Zen 4 (its
    # 512-bit FMAs run as two 256-bit halves), so they are kept.
    if cpu_has_avx512() and core.lower() not in ("skylakex", "cooperlake", "sapphirerapids", "zen") \
            and "OPENBLAS_CORETYPE" not in os.environ:
        print(f"# OpenBLAS picked core '{core}' for this AVX-512 CPU; running again with OPENBLAS_CORETYPE=SkylakeX",
              flush=True)
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, OPENBLAS_CORETYPE="SkylakeX"))
    print(f"# OpenBLAS via numpy {np.__version__}; {lib}; core {core}"
          f" (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')})")
    print(f"# CPU: {cpu}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"{'shape':32s} {'ms':>10s} {'GFLOP/s':>9s}")
    for name, m, k, n in SHAPES:
        t = bench(m, k, n)
        print(f"{name:32s} {t * 1e3:10.3f} {2.0 * m * n * k / t / 1e9:9.1f}")


if __name__ == "__main__":
    main()
