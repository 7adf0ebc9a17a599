package dev.fovea.bench.gemm;

import java.util.List;
import java.util.Locale;

/**
 * A named GEMM problem size: C (m x n) = A (m x k) * B (k x n). The layer shapes are the im2col
 * GEMMs of real convolutions at batch 1: m = output channels, k = inC * kH * kW, n = outH * outW.
 *
 * @param name the wire name used in {@code @Param} values, tables and JSON
 * @param m rows of A and C
 * @param n columns of B and C
 * @param k the shared dimension
 */
public record GemmShape(String name, int m, int n, int k) {
    /** Square sizes of the issue. */
    public static final List<GemmShape> SQUARES = List.of(square(64), square(128), square(256), square(512),
            square(1024), square(2048));

    /** The convolution GEMMs of the issue. */
    public static final List<GemmShape> LAYERS = List.of(
            new GemmShape("resnet18.layer1", 64, 3136, 576),   // 3x3, 64->64, 56x56
            new GemmShape("resnet18.layer4", 512, 49, 4608),   // 3x3, 512->512, 7x7
            new GemmShape("vgg16.conv1_2", 64, 50176, 576),    // 3x3, 64->64, 224x224
            new GemmShape("lenet5.conv2", 16, 100, 150));      // 5x5, 6->16, 10x10

    /** Returns the square shape {@code size^3}, named {@code square<size>}. */
    public static GemmShape square(int size) {
        return new GemmShape("square" + size, size, size, size);
    }

    /** Returns the shape with this wire name. */
    public static GemmShape named(String name) {
        for (GemmShape s : SQUARES) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        for (GemmShape s : LAYERS) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown GEMM shape '" + name + "'; known: " + SQUARES + " " + LAYERS);
    }

    /** Returns the floating-point operations of one multiply, 2 m n k. */
    public double flops() {
        return 2.0 * m * n * k;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (M=%d N=%d K=%d)", name, m, n, k);
    }
}
