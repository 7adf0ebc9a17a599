package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.onnx.OnnxValue;
import dev.fovea.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Outputs}: file names, class scores, probabilities and number formatting. */
class OutputsTest {
    @Test
    void outputNamesBecomeDistinctSafeFileNames() {
        assertEquals(List.of("a_b_0.npy", "A_b_0_2.npy", "output_2.npy", "y.npy", "y.npy.npy", "output_5.npy"),
                Outputs.fileNames(List.of("a/b:0", "A b\\0", "..", "y", "y.npy", "")));
    }

    @Test
    void classScoresAreOutputsWithOneDimAboveOne() {
        float[] v = {0.1f, 0.7f, 0.2f};
        assertArrayEquals(v, Outputs.classScores(OnnxValue.of(Tensor.of(v, 3))));
        assertArrayEquals(v, Outputs.classScores(OnnxValue.of(Tensor.of(v, 1, 3))));
        assertArrayEquals(v, Outputs.classScores(OnnxValue.of(Tensor.of(v, 1, 3, 1, 1))));
        assertNull(Outputs.classScores(OnnxValue.of(Tensor.of(new float[6], 2, 3))), "a batch of 2");
        assertNull(Outputs.classScores(OnnxValue.of(Tensor.of(new float[1], 1, 1))), "one value");
        assertNull(Outputs.classScores(OnnxValue.ofLongs(new long[] {1, 2, 3}, 3)), "integers");
    }

    @Test
    void softmaxIsSkippedOnlyForValuesThatAlreadyAreProbabilities() {
        assertTrue(Outputs.areProbabilities(new float[] {0.1f, 0.7f, 0.2f}));
        assertFalse(Outputs.areProbabilities(new float[] {0.1f, 0.7f, 0.1f}), "sums to 0.9");
        assertFalse(Outputs.areProbabilities(new float[] {1.5f, -0.5f}), "outside [0, 1]");
        assertFalse(Outputs.areProbabilities(new float[] {Float.NaN, 1f}));
        // Scores near 1000 would overflow exp() without subtracting the maximum first.
        float big = 1000f + (float) Math.log(3);
        double d = big - 1000f;
        double[] p = Outputs.softmax(new float[] {1000f, big});
        assertEquals(1 / (1 + Math.exp(d)), p[0], 1e-12);
        assertEquals(Math.exp(d) / (1 + Math.exp(d)), p[1], 1e-12);
        assertEquals(0.75, p[1], 1e-4);
        assertEquals(1, Outputs.argmax(new float[] {Float.NaN, 2f, 2f, 1f}), "NaN never wins, the first of ties does");
    }

    @Test
    void numbersHaveSixSignificantDigits() {
        assertEquals("0.1", Outputs.number(0.1f));
        assertEquals("-123.457", Outputs.number(-123.4567f));
        assertEquals("0", Outputs.number(-0f));
        assertEquals("1.00000e+06", Outputs.number(1e6f));
        assertEquals("1.50000e-05", Outputs.number(1.5e-5f));
        assertEquals("NaN", Outputs.number(Float.NaN));
    }
}
