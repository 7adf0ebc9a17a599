package dev.fovea.simd.conv;

import dev.fovea.simd.eltwise.ActivationFunction;
import dev.fovea.simd.parallel.ComputeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference convolution: the textbook loops over every parameter (1-3 spatial dimensions,
 * stride, dilation, per-side padding in every {@link PaddingMode}, groups), accumulating each
 * output in double. It is the oracle every other algorithm is tested against, and the portable
 * fallback; it is slow by design and runs on the calling thread.
 *
 * <p>Besides the forward plan it holds the reference gradients ({@link #backwardData},
 * {@link #backwardWeight}, {@link #backwardBias}): the vector-Jacobian products of the forward,
 * with a padded position's gradient added to the input element it was read from (so reflect,
 * replicate and circular padding fold their gradients back into the input, as in PyTorch).
 * Index arithmetic: an output position {@code o} along an axis reads the padded-input position
 * {@code o * stride + t * dil - padBegin} for kernel tap {@code t}, mapped by
 * {@link PaddingMode#sourceIndex}.
 */
public final class ConvNaive implements ConvAlgorithm {
    /** The single instance. */
    public static final ConvNaive INSTANCE = new ConvNaive();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvNaive() {}

    @Override
    public String name() {
        return "naive";
    }

    @Override
    public String unsupportedReason(ConvSpec spec) {
        return null;
    }

    /** Float32 inputs, double accumulation, one rounding per output: within 1e-12 of itself. */
    @Override
    public double maxNmse() {
        return 1e-12;
    }

    @Override
    public ConvPlan plan(ConvSpec spec, MemorySegment weights, long weightOff, ComputeContext ctx) {
        ConvChecks.operand("weights", weights, weightOff, spec.weightElements(), spec);
        float[] w = weights.asSlice(weightOff * Float.BYTES, spec.weightElements() * Float.BYTES)
                .toArray(ValueLayout.JAVA_FLOAT);
        MemorySegment wCopy = MemorySegment.ofArray(w);
        return new ConvPlan() {
            @Override
            public ConvSpec spec() {
                return spec;
            }

            @Override
            public String algorithm() {
                return "naive";
            }

            @Override
            public long workspaceBytes() {
                return 0;
            }

            @Override
            public void execute(MemorySegment in, long inOff, MemorySegment bias, long biasOff, MemorySegment out,
                                long outOff, ActivationFunction activation) {
                ConvChecks.execute(spec, in, inOff, bias, biasOff, out, outOff);
                forward(spec, in, inOff, wCopy, 0, bias, biasOff, out, outOff);
                ConvActivation.after(activation, spec, out, outOff, ctx);
            }
        };
    }

    /**
     * The reference forward: {@code out = conv(in, w) + bias} ({@code bias} may be null), every
     * output accumulated in double and rounded once. Operands are contiguous at element offsets.
     */
    public static void forward(ConvSpec s, MemorySegment in, long inOff, MemorySegment w, long wOff,
                               MemorySegment bias, long biasOff, MemorySegment out, long outOff) {
        ConvChecks.execute(s, in, inOff, bias, biasOff, out, outOff);
        ConvChecks.operand("weights", w, wOff, s.weightElements(), s);
        int cg = s.inCPerGroup();
        int og = s.outCPerGroup();
        for (int b = 0; b < s.n(); b++) {
            for (int oc = 0; oc < s.outC(); oc++) {
                int g = oc / og;
                for (int od = 0; od < s.outD(); od++) {
                    for (int oh = 0; oh < s.outH(); oh++) {
                        for (int ow = 0; ow < s.outW(); ow++) {
                            double acc = bias == null ? 0 : bias.getAtIndex(F, biasOff + oc);
                            for (int ic = 0; ic < cg; ic++) {
                                long inBase = inOff + ((long) b * s.inC() + g * cg + ic) * s.inSpatial();
                                long wBase = wOff + ((long) oc * cg + ic) * s.kernelVolume();
                                for (int kd = 0; kd < s.kD(); kd++) {
                                    int id = source(s, 0, od, kd);
                                    for (int kh = 0; kh < s.kH(); kh++) {
                                        int ih = source(s, 1, oh, kh);
                                        for (int kw = 0; kw < s.kW(); kw++) {
                                            int iw = source(s, 2, ow, kw);
                                            if (id < 0 || ih < 0 || iw < 0) {
                                                continue;
                                            }
                                            float x = in.getAtIndex(F, inBase + ((long) id * s.inH() + ih) * s.inW() + iw);
                                            float wt = w.getAtIndex(F, wBase + ((long) kd * s.kH() + kh) * s.kW() + kw);
                                            acc += (double) x * wt;
                                        }
                                    }
                                }
                            }
                            out.setAtIndex(F, outOff + outIndex(s, b, oc, od, oh, ow), (float) acc);
                        }
                    }
                }
            }
        }
    }

    /**
     * The reference input gradient: {@code dIn = d(sum(out * dOut)) / d(in)}, overwriting
     * {@code dIn} ({@code n, inC, spatial...}); sums in double, rounded once per element.
     * Allocates a double buffer of the input's size (a reference, not a kernel).
     */
    public static void backwardData(ConvSpec s, MemorySegment dOut, long dOutOff, MemorySegment w, long wOff,
                                    MemorySegment dIn, long dInOff) {
        ConvChecks.operand("dOut", dOut, dOutOff, s.outputElements(), s);
        ConvChecks.operand("weights", w, wOff, s.weightElements(), s);
        ConvChecks.operand("dIn", dIn, dInOff, s.inputElements(), s);
        double[] acc = new double[Math.toIntExact(s.inputElements())];
        visit(s, (b, oc, ic, outIdx, inIdx, wIdx) ->
                acc[(int) inIdx] += (double) dOut.getAtIndex(F, dOutOff + outIdx) * w.getAtIndex(F, wOff + wIdx));
        for (int i = 0; i < acc.length; i++) {
            dIn.setAtIndex(F, dInOff + i, (float) acc[i]);
        }
    }

    /**
     * The reference weight gradient: {@code dW = d(sum(out * dOut)) / d(w)}, overwriting {@code dW}
     * ({@code outC, inC / groups, k...}); sums in double.
     */
    public static void backwardWeight(ConvSpec s, MemorySegment in, long inOff, MemorySegment dOut, long dOutOff,
                                      MemorySegment dW, long dWOff) {
        ConvChecks.operand("input", in, inOff, s.inputElements(), s);
        ConvChecks.operand("dOut", dOut, dOutOff, s.outputElements(), s);
        ConvChecks.operand("dW", dW, dWOff, s.weightElements(), s);
        double[] acc = new double[Math.toIntExact(s.weightElements())];
        visit(s, (b, oc, ic, outIdx, inIdx, wIdx) ->
                acc[(int) wIdx] += (double) dOut.getAtIndex(F, dOutOff + outIdx) * in.getAtIndex(F, inOff + inIdx));
        for (int i = 0; i < acc.length; i++) {
            dW.setAtIndex(F, dWOff + i, (float) acc[i]);
        }
    }

    /** The reference bias gradient: {@code dBias[oc] = sum over n and space of dOut}, overwriting {@code dBias}. */
    public static void backwardBias(ConvSpec s, MemorySegment dOut, long dOutOff, MemorySegment dBias, long dBiasOff) {
        ConvChecks.operand("dOut", dOut, dOutOff, s.outputElements(), s);
        ConvChecks.operand("dBias", dBias, dBiasOff, s.outC(), s);
        for (int oc = 0; oc < s.outC(); oc++) {
            double acc = 0;
            for (int b = 0; b < s.n(); b++) {
                long base = dOutOff + ((long) b * s.outC() + oc) * s.outSpatial();
                for (long i = 0; i < s.outSpatial(); i++) {
                    acc += dOut.getAtIndex(F, base + i);
                }
            }
            dBias.setAtIndex(F, dBiasOff + oc, (float) acc);
        }
    }

    /** One (output, input, weight) triple of the convolution sum, as element indices. */
    private interface Term {
        void accept(int b, int oc, int ic, long outIdx, long inIdx, long wIdx);
    }

    /** Calls {@code term} for every product the forward sums (taps reading zeros skipped). */
    private static void visit(ConvSpec s, Term term) {
        int cg = s.inCPerGroup();
        int og = s.outCPerGroup();
        for (int b = 0; b < s.n(); b++) {
            for (int oc = 0; oc < s.outC(); oc++) {
                int g = oc / og;
                for (int od = 0; od < s.outD(); od++) {
                    for (int oh = 0; oh < s.outH(); oh++) {
                        for (int ow = 0; ow < s.outW(); ow++) {
                            long outIdx = outIndex(s, b, oc, od, oh, ow);
                            for (int ic = 0; ic < cg; ic++) {
                                long inBase = ((long) b * s.inC() + g * cg + ic) * s.inSpatial();
                                long wBase = ((long) oc * cg + ic) * s.kernelVolume();
                                for (int kd = 0; kd < s.kD(); kd++) {
                                    int id = source(s, 0, od, kd);
                                    for (int kh = 0; kh < s.kH(); kh++) {
                                        int ih = source(s, 1, oh, kh);
                                        for (int kw = 0; kw < s.kW(); kw++) {
                                            int iw = source(s, 2, ow, kw);
                                            if (id >= 0 && ih >= 0 && iw >= 0) {
                                                term.accept(b, oc, g * cg + ic, outIdx,
                                                        inBase + ((long) id * s.inH() + ih) * s.inW() + iw,
                                                        wBase + ((long) kd * s.kH() + kh) * s.kW() + kw);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The input coordinate read along {@code axis} by output {@code o} and tap {@code t}, or -1 for a zero. */
    private static int source(ConvSpec s, int axis, int o, int t) {
        int i = o * s.stride(axis) + t * s.dilation(axis) - s.padBegin(axis);
        return s.paddingMode().sourceIndex(i, s.in(axis));
    }

    private static long outIndex(ConvSpec s, int b, int oc, int od, int oh, int ow) {
        return (((long) b * s.outC() + oc) * s.outD() + od) * s.outH() * s.outW() + (long) oh * s.outW() + ow;
    }
}
