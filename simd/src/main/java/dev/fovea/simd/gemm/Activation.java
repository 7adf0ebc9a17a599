package dev.fovea.simd.gemm;

import dev.fovea.simd.eltwise.ActivationFunction;
import java.util.Objects;

/**
 * An elementwise activation applied by an {@link Epilogue} to each output element of a GEMM,
 * after the bias is added. Immutable; the kinds are a closed set so that kernels switch over them
 * once per call, never per element. ReLU, clip and leaky ReLU are applied in registers; any other
 * {@link ActivationFunction} ({@link Function}) runs its vector loop over each stored row of a
 * tile while the row is still in L1.
 */
public sealed interface Activation {
    /** {@code f(x) = x}. */
    Activation IDENTITY = new Identity();
    /** {@code f(x) = max(x, 0)}. */
    Activation RELU = new Relu();

    /** Returns {@code clip(x, 0, 6)}, the ReLU6 of MobileNet. */
    static Activation relu6() {
        return new Clip(0f, 6f);
    }

    /** Returns {@code clip(x, lo, hi)}; see {@link Clip}. */
    static Activation clip(float lo, float hi) {
        return new Clip(lo, hi);
    }

    /** Returns the leaky ReLU {@code x >= 0 ? x : slope * x}; see {@link LeakyRelu}. */
    static Activation leakyRelu(float slope) {
        return new LeakyRelu(slope);
    }

    /**
     * Returns the epilogue form of {@code f}: ReLU, hardtanh (clip) and leaky ReLU map to the
     * register-fused kinds, every other function to {@link Function}.
     */
    static Activation of(ActivationFunction f) {
        Objects.requireNonNull(f, "Activation.of: function is null");
        return switch (f.kind()) {
            case RELU -> RELU;
            case HARDTANH -> clip(f.alpha(), f.beta());
            case LEAKY_RELU -> leakyRelu(f.alpha());
            default -> new Function(f);
        };
    }

    /** Applies the activation to one value (the scalar definition every kernel matches). */
    float apply(float x);

    /** The identity: the GEMM result is stored unchanged. */
    record Identity() implements Activation {
        @Override
        public float apply(float x) {
            return x;
        }
    }

    /** {@code max(x, 0)}; a NaN input stays NaN. */
    record Relu() implements Activation {
        @Override
        public float apply(float x) {
            return Math.max(x, 0f);
        }
    }

    /**
     * {@code min(max(x, lo), hi)}; a NaN input stays NaN.
     *
     * @param lo lower bound, not NaN
     * @param hi upper bound, not NaN, {@code >= lo} (infinite bounds are allowed)
     */
    record Clip(float lo, float hi) implements Activation {
        /** Checks the bounds. */
        public Clip {
            if (Float.isNaN(lo) || Float.isNaN(hi) || lo > hi) {
                throw new IllegalArgumentException("Activation.Clip: need lo <= hi and neither NaN, got lo="
                        + lo + ", hi=" + hi);
            }
        }

        @Override
        public float apply(float x) {
            return Math.min(Math.max(x, lo), hi);
        }
    }

    /**
     * {@code x >= 0 ? x : slope * x} (for {@code x = -0.0} the result is {@code -0.0 * slope}).
     *
     * @param slope the negative-side slope, finite (PyTorch's default is 0.01)
     */
    record LeakyRelu(float slope) implements Activation {
        /** Checks the slope. */
        public LeakyRelu {
            if (!Float.isFinite(slope)) {
                throw new IllegalArgumentException("Activation.LeakyRelu: slope must be finite, got " + slope);
            }
        }

        @Override
        public float apply(float x) {
            return x >= 0f ? x : x * slope;
        }
    }

    /**
     * Any activation function of {@link dev.fovea.simd.eltwise.ActivationKernels}, applied to a
     * stored tile row with the same bits as {@link ActivationFunction#apply}.
     *
     * @param function the function, not null
     */
    record Function(ActivationFunction function) implements Activation {
        /** Checks the function is present. */
        public Function {
            Objects.requireNonNull(function, "Activation.Function: function is null");
        }

        @Override
        public float apply(float x) {
            return function.apply(x);
        }
    }
}
