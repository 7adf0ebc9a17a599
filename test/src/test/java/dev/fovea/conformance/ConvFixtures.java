package dev.fovea.conformance;

import dev.fovea.simd.conv.ConvSpec;
import dev.fovea.simd.conv.Padding;
import dev.fovea.simd.conv.PaddingMode;
import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * The PyTorch convolution fixtures in {@code fixtures/conv}: the manifest {@code cases.txt} (one
 * case per line, {@code key=value} tokens) and each case's {@code .npy} arrays. They are written by
 * {@code scripts/fixtures/conv_fixtures.py}; its docstring documents the keys. The core of it:
 *
 * <pre>
 * xd, wd, bd = x.double(), w.double(), b.double()      # float32 values, evaluated in float64
 * y = F.conv2d(xd, wd, bd, stride, padding, dilation, groups)   # or F.pad(...) first for asym/modes
 * (y * g.double()).sum().backward()                    # gx, gw, gb; all saved as float32
 * </pre>
 */
final class ConvFixtures {
    private ConvFixtures() {}

    /** One fixture case: its manifest entry, with the convolution-specific readings. */
    record Case(FixtureManifest.Entry entry) {
        String name() {
            return entry.name();
        }

        String get(String key) {
            return entry.get(key);
        }

        int integer(String key) {
            return entry.integer(key);
        }

        int[] ints(String key) {
            return entry.ints(key);
        }

        boolean isTranspose() {
            return get("op").equals("conv_transpose");
        }

        boolean hasBias() {
            return integer("bias") == 1;
        }

        /** Loads array {@code key} (x, w, b, g, y, gx, gw, gb) of this case. */
        Tensor load(String key) {
            return entry.load(key);
        }

        /**
         * The forward convolution spec: for a conv case its own; for a conv_transpose case the
         * convolution whose input gradient the transposed convolution is (input = the transposed
         * output, channels swapped, same kernel, stride, dilation, padding and groups).
         */
        ConvSpec spec() {
            int dims = integer("dims");
            boolean t = isTranspose();
            ConvSpec.Builder b = ConvSpec.builder(dims).n(integer("n")).groups(integer("groups"))
                    .inC(integer(t ? "outC" : "inC")).outC(integer(t ? "inC" : "outC"))
                    .input(ints(t ? "out" : "input")).kernel(ints("kernel")).stride(ints("stride"))
                    .dilation(ints("dilation")).paddingMode(PaddingMode.fromWireName(get("mode")));
            b.padding(switch (get("padding")) {
                case "same" -> Padding.SAME;
                case "valid" -> Padding.VALID;
                case "explicit" -> Padding.of(ints("pad_begin"));
                case "asym" -> Padding.of(ints("pad_begin"), ints("pad_end"));
                default -> throw new IllegalStateException(name() + ": unknown padding " + get("padding"));
            });
            return b.build();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** Every case of the manifest, in file order. */
    static List<Case> all() {
        return FixtureManifest.read("conv").stream().map(Case::new).toList();
    }

    /** The case named {@code name}. */
    static Case named(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no conv fixture " + name));
    }
}
