package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * split, chunk, unflatten and flatten: PyTorch's piece sizes, zero-copy views, gradients through
 * the pieces (finite differences), concatenation as their inverse, and argument errors.
 */
class SplitGradTest {
    private static long[] sizes(List<Tensor> pieces, int dim) {
        return pieces.stream().mapToLong(t -> t.size(dim)).toArray();
    }

    @Test
    void pieceSizesFollowPyTorch() {
        Tensor x = Tensor.randn(1, 3, 7, 2);
        assertArrayEquals(new long[] {3, 3, 1}, sizes(x.split(3, 1), 1));
        assertArrayEquals(new long[] {7}, sizes(x.split(10, 1), 1));
        assertArrayEquals(new long[] {2, 0, 5}, sizes(x.split(new long[] {2, 0, 5}, -2), 1));
        // torch.chunk: ceil(size / chunks) per piece, so 7 in 4 chunks is 2, 2, 2, 1 and 6 in 4 is 2, 2, 2.
        assertArrayEquals(new long[] {2, 2, 2, 1}, sizes(x.chunk(4, 1), 1));
        assertArrayEquals(new long[] {2, 2, 2}, sizes(Tensor.randn(2, 6).chunk(4, 0), 0));
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1}, sizes(x.chunk(9, 1), 1));
        assertArrayEquals(new long[] {0, 0, 0}, sizes(Tensor.zeros(2, 0).chunk(3, 1), 1));
        assertArrayEquals(new long[] {0}, sizes(Tensor.zeros(0, 2).split(4, 0), 0));
    }

    @Test
    void piecesAreViews() {
        Tensor x = Tensor.randn(3, 4, 6);
        for (Tensor piece : x.chunk(3, 1)) {
            assertTrue(piece.sharesStorageWith(x));
        }
        Tensor u = x.unflatten(1, 2, -1);
        assertArrayEquals(new long[] {4, 2, 3}, u.shape());
        assertTrue(u.sharesStorageWith(x));
        Tensor tu = x.t().unflatten(0, -1, 2);
        assertArrayEquals(new long[] {3, 2, 4}, tu.shape());
        assertTrue(tu.sharesStorageWith(x));
        assertEquals(x.get(3, 5), tu.get(2, 1, 3));
        Tensor f = u.flatten(1, 2);
        assertTrue(f.sharesStorageWith(x));
        assertArrayEquals(x.toArray(), f.toArray());
    }

    @Test
    void gradientsFlowThroughThePieces() {
        Tensor x = Tensor.randn(5, 2, 7, 3);
        GradientChecker.of("split", in -> {
            List<Tensor> s = in[0].split(3, 1);
            return Tensor.cat(1, s.get(2).mul(2f), s.get(0));
        }).check(x);
        GradientChecker.of("chunk", in -> in[0].chunk(3, -1).get(1).mul(in[0].chunk(3, -1).get(2))).check(x);
        GradientChecker.of("split with sizes", in -> in[0].split(new long[] {1, 4, 2}, 1).get(1).exp()).check(x);
        GradientChecker.of("unflatten", in -> in[0].unflatten(2, 3, 1).permute(0, 2, 1, 3)).check(x);
        GradientChecker.of("flatten", in -> in[0].transpose(1, 2).flatten(0, 1)).check(x);
        Tensor y = Tensor.randn(6, 2, 7, 3);
        assertArrayEquals(y.toArray(), Tensor.cat(y.chunk(3, 1), 1).toArray());
        assertArrayEquals(y.toArray(), Tensor.cat(y.split(2, 2), 2).toArray());
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.randn(7, 3, 5);
        assertMessage(() -> x.split(0, 1), "split", "splitSize", "[3, 5]");
        assertMessage(() -> x.split(new long[] {2, 2}, 1), "split", "[2, 2]", "sum to 5", "[3, 5]");
        assertMessage(() -> x.split(new long[] {6, -1}, 1), "split", "[6, -1]");
        assertMessage(() -> x.chunk(0, 0), "chunk", "chunks", "0");
        assertMessage(() -> x.unflatten(1, 2, 2), "unflatten", "[2, 2]", "5", "[3, 5]");
        assertMessage(() -> x.unflatten(1, -1, -1), "unflatten", "one -1");
        assertMessage(() -> x.unflatten(1, 2, -1), "unflatten", "[2, -1]", "5");
        assertMessage(() -> x.unflatten(0), "unflatten", "empty");
    }
}
