package dev.fovea.simd.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ConvPadInput against per-axis {@link PaddingMode#sourceIndex}, every mode, 1-3 d, a channel sub-range. */
class ConvPadInputTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void everyModeMatchesSourceIndex() {
        for (PaddingMode mode : PaddingMode.values()) {
            check(ConvSpec.builder(1).inC(2).outC(1).input(13).kernel(5).padding(Padding.of(new int[] {3}, new int[] {4}))
                    .paddingMode(mode).build());
            check(ConvSpec.builder(2).inC(3).outC(1).input(5, 11).kernel(3, 5)
                    .padding(Padding.of(new int[] {2, 1}, new int[] {0, 4})).paddingMode(mode).build());
            check(ConvSpec.builder(3).inC(2).outC(1).input(3, 4, 9).kernel(3).padding(1).paddingMode(mode).build());
        }
    }

    /** Pads channels [1, inC) into a buffer pre-filled with NaN and checks every element, channel 0 untouched. */
    private static void check(ConvSpec s) {
        SplittableRandom rnd = new SplittableRandom(s.hashCode());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = ConvTester.random(arena, s.inputElements(), rnd);
            long sp = ConvPadInput.paddedSpatial(s);
            MemorySegment dst = arena.allocate(s.inC() * sp * Float.BYTES);
            for (long i = 0; i < s.inC() * sp; i++) {
                dst.setAtIndex(F, i, Float.NaN);
            }
            ConvPadInput.pad(s, in, 3, dst, 0, 1, s.inC());
            int[] ext = {ConvPadInput.paddedExtent(s, 0), ConvPadInput.paddedExtent(s, 1), ConvPadInput.paddedExtent(s, 2)};
            for (int c = 0; c < s.inC(); c++) {
                for (int d = 0; d < ext[0]; d++) {
                    for (int h = 0; h < ext[1]; h++) {
                        for (int w = 0; w < ext[2]; w++) {
                            long at = c * sp + ((long) d * ext[1] + h) * ext[2] + w;
                            assertEquals(expected(s, in, 3, c, new int[] {d, h, w}), dst.getAtIndex(F, at),
                                    s + " channel " + c + " at " + d + "," + h + "," + w);
                        }
                    }
                }
            }
        }
    }

    private static float expected(ConvSpec s, MemorySegment in, long inOff, int c, int[] p) {
        if (c == 0) {
            return Float.NaN;
        }
        long idx = c;
        for (int axis = 0; axis < 3; axis++) {
            int i = s.paddingMode().sourceIndex(p[axis] - s.padBegin(axis), s.in(axis));
            if (i < 0) {
                return 0f;
            }
            idx = idx * s.in(axis) + i;
        }
        return in.getAtIndex(F, inOff + idx);
    }
}
