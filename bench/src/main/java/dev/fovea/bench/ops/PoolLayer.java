package dev.fovea.bench.ops;

import dev.fovea.simd.pool.PoolSpec;
import java.util.List;

/**
 * A named pooling of a real network (or of the targets), batch 1, NCHW, with its bytes:
 * the input read once and the output written once.
 *
 * @param name the wire name used by {@code @Param} and {@code --layers}
 * @param max max pooling if true, else average pooling
 * @param spec the pooling at batch 1
 */
public record PoolLayer(String name, boolean max, PoolSpec spec) {
    /** Every named pooling, in table order. */
    public static final List<PoolLayer> ALL = List.of(
            new PoolLayer("maxpool2x2.64x112", true, spec(64, 112, 2, 2, 0)),
            new PoolLayer("avgpool3x3s1.64x56", false, spec(64, 56, 3, 1, 1)),
            new PoolLayer("resnet18.maxpool", true, spec(64, 112, 3, 2, 1)),
            new PoolLayer("vgg16.pool1", true, spec(64, 224, 2, 2, 0)),
            new PoolLayer("lenet5.pool1", true, spec(6, 28, 2, 2, 0)),
            new PoolLayer("densenet.avgpool2x2", false, spec(128, 56, 2, 2, 0)));

    private static PoolSpec spec(int c, int hw, int k, int stride, int pad) {
        return PoolSpec.builder(2).n(1).c(c).input(hw, hw).kernel(k).stride(stride).padding(pad).build();
    }

    /** The pooling named {@code name}. */
    public static PoolLayer named(String name) {
        return ALL.stream().filter(l -> l.name.equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown pooling '" + name + "'; known: "
                        + ALL.stream().map(PoolLayer::name).toList()));
    }

    /** Bytes moved by one call: input read and output written once. */
    public long bytes() {
        return (spec.inputElements() + spec.outputElements()) * Float.BYTES;
    }

    /** A short description, e.g. {@code max 3x3 s2 p1, 64x112x112}. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s %dx%d s%d p%d, %dx%dx%d", max ? "max" : "avg", spec.kernel(1),
                spec.kernel(2), spec.stride(2), spec.padBegin(2), spec.c(), spec.in(1), spec.in(2));
    }
}
