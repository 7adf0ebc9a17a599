package dev.fovea.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders tensors as PyTorch's {@code torch._tensor_str} does (precision 4, line width 80, more
 * than 1000 elements summarized to 3 edge items per dim), with the shape and autograd state
 * appended: {@code tensor([1.5000, 2.0000], shape=[2], requiresGrad=true)}.
 */
final class TensorFormat {
    static final int PRECISION = 4;
    static final int LINE_WIDTH = 80;
    static final int THRESHOLD = 1000;
    static final int EDGE_ITEMS = 3;
    private static final String PREFIX = "tensor(";

    private final boolean intMode;
    private final boolean sciMode;
    private final int maxWidth;

    private TensorFormat(List<Float> values) {
        boolean integral = true;
        double minAbs = Double.POSITIVE_INFINITY;
        double maxAbs = 0;
        List<Float> finite = new ArrayList<>();
        for (float v : values) {
            if (Float.isFinite(v) && v != 0f) {
                finite.add(v);
                integral &= v == Math.ceil(v);
                minAbs = Math.min(minAbs, Math.abs(v));
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        boolean sci = false;
        int width = 1;
        if (!finite.isEmpty()) {
            sci = maxAbs / minAbs > 1000.0 || maxAbs > 1.0e8 || (!integral && minAbs < 1.0e-4);
            for (float v : finite) {
                String s = sci ? sci(v) : integral ? String.format(Locale.ROOT, "%.0f", v) + "." : fixed(v);
                width = Math.max(width, s.length());
            }
        }
        this.intMode = integral && !finite.isEmpty();
        this.sciMode = sci;
        this.maxWidth = width;
    }

    static String format(Tensor t) {
        StringBuilder out = new StringBuilder(PREFIX);
        List<String> suffixes = new ArrayList<>();
        suffixes.add("shape=" + Shape.toString(t.shape()));
        if (t.gradFn() != null) {
            suffixes.add("gradFn=" + t.gradFn());
        } else if (t.requiresGrad()) {
            suffixes.add("requiresGrad=true");
        }
        if (!t.isAlive()) {
            out.append("<storage freed when its Scope closed>");
        } else if (t.numel() == 0) {
            out.append("[]");
        } else {
            boolean summarize = t.numel() > THRESHOLD;
            MemorySegment seg = t.segment();
            List<Float> shown = new ArrayList<>();
            collect(t, seg, 0, t.offset(), summarize, shown);
            TensorFormat f = new TensorFormat(shown);
            out.append(f.render(t, seg, 0, t.offset(), PREFIX.length(), summarize));
        }
        appendSuffixes(out, suffixes);
        return out.append(')').toString();
    }

    private static void appendSuffixes(StringBuilder out, List<String> suffixes) {
        int lastLine = out.length() - out.lastIndexOf("\n") - 1;
        for (String suffix : suffixes) {
            if (lastLine + suffix.length() + 2 > LINE_WIDTH) {
                out.append(",\n").append(" ".repeat(PREFIX.length())).append(suffix);
                lastLine = PREFIX.length() + suffix.length();
            } else {
                out.append(", ").append(suffix);
                lastLine += suffix.length() + 2;
            }
        }
    }

    /** Returns the indices along a dim of size {@code n} that are shown ({@code -1} marks the ellipsis). */
    private static long[] shownIndices(long n, boolean summarize) {
        if (!summarize || n <= 2L * EDGE_ITEMS) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] idx = new long[2 * EDGE_ITEMS + 1];
        for (int i = 0; i < EDGE_ITEMS; i++) {
            idx[i] = i;
            idx[EDGE_ITEMS + 1 + i] = n - EDGE_ITEMS + i;
        }
        idx[EDGE_ITEMS] = -1;
        return idx;
    }

    private static void collect(Tensor t, MemorySegment seg, int dim, long off, boolean summarize, List<Float> out) {
        if (dim == t.rank()) {
            out.add(seg.getAtIndex(ValueLayout.JAVA_FLOAT, off));
            return;
        }
        long stride = t.strides()[dim];
        for (long i : shownIndices(t.shape()[dim], summarize)) {
            if (i >= 0) {
                collect(t, seg, dim + 1, off + i * stride, summarize, out);
            }
        }
    }

    private String render(Tensor t, MemorySegment seg, int dim, long off, int indent, boolean summarize) {
        int rank = t.rank();
        if (rank == 0) {
            return value(seg.getAtIndex(ValueLayout.JAVA_FLOAT, off));
        }
        long stride = t.strides()[dim];
        long[] idx = shownIndices(t.shape()[dim], summarize);
        List<String> parts = new ArrayList<>();
        if (dim == rank - 1) {
            for (long i : idx) {
                parts.add(i < 0 ? " ..." : value(seg.getAtIndex(ValueLayout.JAVA_FLOAT, off + i * stride)));
            }
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (maxWidth + 2));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < parts.size(); i += perLine) {
                lines.add(String.join(", ", parts.subList(i, Math.min(parts.size(), i + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }
        for (long i : idx) {
            parts.add(i < 0 ? "..." : render(t, seg, dim + 1, off + i * stride, indent + 1, summarize));
        }
        String separator = "," + "\n".repeat(rank - dim - 1) + " ".repeat(indent + 1);
        return "[" + String.join(separator, parts) + "]";
    }

    private String value(float v) {
        String s;
        if (sciMode) {
            s = Float.isFinite(v) ? sci(v) : nonFinite(v);
        } else if (intMode) {
            s = Float.isFinite(v) ? String.format(Locale.ROOT, "%.0f", v) + "." : nonFinite(v);
        } else {
            s = Float.isFinite(v) ? fixed(v) : nonFinite(v);
        }
        return " ".repeat(Math.max(0, maxWidth - s.length())) + s;
    }

    private static String fixed(float v) {
        return String.format(Locale.ROOT, "%." + PRECISION + "f", v);
    }

    /** Python's {@code "{:.4e}"}: a two-digit signed exponent ({@code 1.0000e-05}). */
    private static String sci(float v) {
        return String.format(Locale.ROOT, "%." + PRECISION + "e", v);
    }

    private static String nonFinite(float v) {
        return Float.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }
}
