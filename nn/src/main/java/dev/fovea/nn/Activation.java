package dev.fovea.nn;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.eltwise.ActivationFunction.Kind;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Activations;
import java.util.Locale;
import java.util.Objects;

/**
 * An elementwise activation layer, PyTorch's {@code nn.ReLU}, {@code nn.GELU}, ... in one class:
 * {@link #relu()}, {@link #gelu()}, {@link #of(ActivationFunction)} for any function of
 * {@link Activations}. It prints as PyTorch's layer ({@code ReLU()}, {@code LeakyReLU(...)}).
 */
public final class Activation extends Module {
    private final ActivationFunction function;

    private Activation(ActivationFunction function) {
        this.function = Objects.requireNonNull(function, "Activation: function is null");
    }

    /** A layer applying {@code function}. */
    public static Activation of(ActivationFunction function) {
        return new Activation(function);
    }

    /** {@code nn.ReLU()}. */
    public static Activation relu() {
        return of(ActivationFunction.of(Kind.RELU));
    }

    /** {@code nn.ReLU6()}. */
    public static Activation relu6() {
        return of(ActivationFunction.relu6());
    }

    /** {@code nn.LeakyReLU(negativeSlope)}. */
    public static Activation leakyRelu(float negativeSlope) {
        return of(ActivationFunction.leakyRelu(negativeSlope));
    }

    /** {@code nn.GELU()} (exact). */
    public static Activation gelu() {
        return of(ActivationFunction.of(Kind.GELU));
    }

    /** {@code nn.SiLU()}. */
    public static Activation silu() {
        return of(ActivationFunction.of(Kind.SILU));
    }

    /** {@code nn.Sigmoid()}. */
    public static Activation sigmoid() {
        return of(ActivationFunction.of(Kind.SIGMOID));
    }

    /** {@code nn.Tanh()}. */
    public static Activation tanh() {
        return of(ActivationFunction.of(Kind.TANH));
    }

    /** The function applied. */
    public ActivationFunction function() {
        return function;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.activation(input, function);
    }

    /** PyTorch's layer name and parameters, e.g. {@code ReLU()}, {@code LeakyReLU(negative_slope=0.1)}. */
    @Override
    public String toString() {
        return switch (function.kind()) {
            case RELU -> "ReLU()";
            case LEAKY_RELU -> "LeakyReLU(negative_slope=" + function.alpha() + ")";
            case HARDTANH -> function.alpha() == 0f && function.beta() == 6f ? "ReLU6()"
                    : "Hardtanh(min_val=" + function.alpha() + ", max_val=" + function.beta() + ")";
            case GELU -> "GELU(approximate='none')";
            case GELU_TANH -> "GELU(approximate='tanh')";
            case SILU -> "SiLU()";
            default -> {
                String n = function.kind().name().toLowerCase(Locale.ROOT);
                yield Character.toUpperCase(n.charAt(0)) + n.substring(1) + "()";
            }
        };
    }
}
