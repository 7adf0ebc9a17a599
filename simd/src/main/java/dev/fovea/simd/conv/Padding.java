package dev.fovea.simd.conv;

import java.util.Arrays;

/**
 * How much a convolution pads its input, per spatial dimension: explicit amounts (symmetric, or
 * per side), or one of Keras' and PyTorch's named rules. {@link ConvSpec.Builder#build()} resolves
 * the rule into begin and end amounts per dimension:
 * <ul>
 *   <li>{@link #VALID}: no padding.</li>
 *   <li>{@link #SAME}: output = ceil(input / stride) (TensorFlow/Keras semantics); the padding
 *       needed, {@code max((out - 1) * stride + dil * (k - 1) + 1 - in, 0)}, is split with the odd
 *       element at the end.</li>
 *   <li>{@link #FULL}: {@code dil * (k - 1)} on both sides, so that stride 1 gives
 *       output = input + dilated kernel - 1.</li>
 * </ul>
 */
public sealed interface Padding {
    /** No padding. */
    Padding VALID = new Named("valid");
    /** Output = ceil(input / stride), extra padding at the end (TensorFlow/Keras). */
    Padding SAME = new Named("same");
    /** Output = input + dilated kernel - 1 at stride 1. */
    Padding FULL = new Named("full");

    /** The same padding on both sides of each dimension (one value: every dimension). */
    static Padding of(int... each) {
        return new Explicit(each.clone(), each.clone());
    }

    /** Per-side padding: {@code begin[d]} before and {@code end[d]} after dimension d (length 1: every dimension). */
    static Padding of(int[] begin, int[] end) {
        if (begin.length != end.length) {
            throw new IllegalArgumentException("padding begin and end need the same length, got "
                    + Arrays.toString(begin) + " and " + Arrays.toString(end));
        }
        return new Explicit(begin.clone(), end.clone());
    }

    /** Returns the padding rule with this name: {@code valid}, {@code same} or {@code full}. */
    static Padding named(String name) {
        return switch (name) {
            case "valid" -> VALID;
            case "same" -> SAME;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("padding must be valid, same or full, got '" + name + "'");
        };
    }

    /** A named rule ({@link #VALID}, {@link #SAME}, {@link #FULL}). */
    record Named(String name) implements Padding {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Explicit amounts; arrays of length 1 apply to every dimension. */
    record Explicit(int[] begin, int[] end) implements Padding {
        @Override
        public String toString() {
            return Arrays.equals(begin, end) ? Arrays.toString(begin)
                    : "begin " + Arrays.toString(begin) + " end " + Arrays.toString(end);
        }
    }
}
