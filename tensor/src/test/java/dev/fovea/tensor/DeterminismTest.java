package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on the thread count: ops run at top level use the default context's
 * threads, and the same ops called from inside one of its tasks run on one thread (nested calls
 * run inline). Both must agree bit for bit.
 *
 * <p>Transcendental ops (exp, log, tanh, sigmoid, pow) are left out: the simd kernels compute them
 * with the Vector API's lanewise operators, whose results differ in the last bit between the
 * interpreter and C2-compiled code, so two calls can differ whatever the thread count.
 */
class DeterminismTest {
    private static float[] singleThreaded(Supplier<Tensor> op) {
        AtomicReference<float[]> result = new AtomicReference<>();
        ComputeContext.defaultContext().run(2, (part, parts) -> {
            if (part == 0) {
                result.set(op.get().toArray());
            }
        });
        return result.get();
    }

    private static void check(Supplier<Tensor> op) {
        assertArrayEquals(singleThreaded(op), op.get().toArray());
    }

    @Test
    void largeOpsGiveTheSameBitsOnAnyThreadCount() {
        assertTrue(ComputeContext.defaultThreads() >= 1);
        Tensor x = Tensor.randn(1, 300, 500);
        Tensor y = Tensor.randn(2, 500);
        check(() -> x.add(y));
        check(() -> x.t().mul(x.t()));
        check(() -> x.sum(0));
        check(() -> x.sum(1));
        check(() -> x.sum());
        check(() -> x.mean(new int[] {0, 1}, true));
        check(() -> x.var(0));
        check(() -> x.max(0, false));
        check(() -> x.argmax(1, false));
        check(() -> x.narrow(0, 0, 100).matmul(x.t()));
    }
}
