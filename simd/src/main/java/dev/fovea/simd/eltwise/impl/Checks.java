package dev.fovea.simd.eltwise.impl;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Entry checks shared by the elementwise and reduction kernels: counts, offsets and strides in
 * float elements against the size of a segment. Every failure is an
 * {@link IllegalArgumentException} whose message names the kernel, the argument and the values,
 * so that kernel loops can run without further checks of their own.
 */
public final class Checks {
    private Checks() {}

    /** Rejects a negative element count. */
    public static void count(String kernel, long n) {
        if (n < 0) {
            throw new IllegalArgumentException(kernel + ": n must be >= 0, got " + n);
        }
    }

    /**
     * Checks that the {@code n} floats at {@code off + i * stride} lie inside {@code seg}. The
     * stride may be 0 (one broadcast value) or negative.
     */
    public static void input(String kernel, String name, MemorySegment seg, long off, long stride, long n) {
        nonNull(kernel, name, seg);
        span(kernel, name, seg, off, stride, n);
    }

    /**
     * Checks an output range: as {@link #input}, plus a positive stride (when {@code n > 1}) and
     * a writable segment.
     */
    public static void output(String kernel, String name, MemorySegment seg, long off, long stride, long n) {
        nonNull(kernel, name, seg);
        if (n > 1 && stride <= 0) {
            throw new IllegalArgumentException(kernel + ": " + name + "Stride must be positive for an output, got "
                    + stride);
        }
        if (seg.isReadOnly()) {
            throw new IllegalArgumentException(kernel + ": output segment " + name + " is read-only");
        }
        span(kernel, name, seg, off, stride, n);
    }

    /** Throws if {@code seg} is null; the message is built only then (a supplier lambda would be made every call). */
    private static void nonNull(String kernel, String name, MemorySegment seg) {
        if (seg == null) {
            throw new NullPointerException(kernel + ": " + name + " is null");
        }
    }

    private static void span(String kernel, String name, MemorySegment seg, long off, long stride, long n) {
        if (n == 0) {
            return;
        }
        long floats = seg.byteSize() / Float.BYTES;
        long last;
        try {
            last = Math.addExact(off, Math.multiplyExact(n - 1, stride));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(kernel + ": " + name + "Off=" + off + " + (n-1)*" + name + "Stride"
                    + " overflows (n=" + n + ", " + name + "Stride=" + stride + ")");
        }
        long lo = Math.min(off, last);
        long hi = Math.max(off, last);
        if (lo < 0 || hi >= floats) {
            throw new IllegalArgumentException(kernel + ": " + name + " holds " + floats + " floats ("
                    + seg.byteSize() + " bytes) but elements " + off + " .. " + last + " are touched ("
                    + name + "Off=" + off + ", " + name + "Stride=" + stride + ", n=" + n + ")");
        }
    }
}
