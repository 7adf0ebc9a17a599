package dev.fovea.nn.init;

import java.util.Arrays;
import java.util.Locale;

/**
 * The nonlinearities of PyTorch's {@code nn.init.calculate_gain}, whose gains scale the Xavier,
 * Kaiming and orthogonal initialisers; see {@link Init#calculateGain(Nonlinearity, double)}.
 */
public enum Nonlinearity {
    /** Gain 1. */
    LINEAR,
    /** Gain 1. */
    CONV1D,
    /** Gain 1. */
    CONV2D,
    /** Gain 1. */
    CONV3D,
    /** Gain 1. */
    CONV_TRANSPOSE1D,
    /** Gain 1. */
    CONV_TRANSPOSE2D,
    /** Gain 1. */
    CONV_TRANSPOSE3D,
    /** Gain 1. */
    SIGMOID,
    /** Gain 5/3. */
    TANH,
    /** Gain sqrt(2). */
    RELU,
    /** Gain {@code sqrt(2 / (1 + slope^2))}. */
    LEAKY_RELU,
    /** Gain 3/4 (self-normalising networks want the linear gain with LeCun normal; this is PyTorch's value). */
    SELU;

    /** PyTorch's name: {@code "relu"}, {@code "leaky_relu"}, {@code "conv_transpose2d"}, ... */
    public String torchName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The nonlinearity of PyTorch's name, as {@code calculate_gain} spells it.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Nonlinearity of(String torchName) {
        for (Nonlinearity n : values()) {
            if (n.torchName().equals(torchName)) {
                return n;
            }
        }
        throw new IllegalArgumentException("Nonlinearity: unknown name '" + torchName + "'; known: "
                + Arrays.stream(values()).map(Nonlinearity::torchName).toList());
    }
}
