package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.simd.parallel.ComputeContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on the thread count: ops run at top level use the default context's
 * threads, and the same ops called from inside one of its tasks run on one thread (nested calls
 * run inline). Both must agree bit for bit.
 *
 * <p>Transcendental ops (exp, log, tanh, sigmoid, pow) are included, and must also give the same
 * bits before and after the JIT has compiled their kernels: the simd kernels compute them with
 * Fovea's own exactly rounded formulas, not the Vector API's lanewise EXP/LOG/TANH/POW, whose
 * interpreter and C2 (SVML) results differ in the last bit. The simd module's EltwiseTierTest
 * checks the tiers in fresh JVMs; here other tests may already have warmed the kernels.
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

    @Test
    void transcendentalOpsGiveTheSameBitsOnAnyThreadCountAndAfterWarmUp() {
        Tensor x = Tensor.randn(3, 300, 500);
        Tensor pos = x.abs().add(1e-3f);
        Tensor e = Tensor.randn(4, 300, 500);
        List<Supplier<Tensor>> ops = List.of(x::exp, pos::log, x::tanh, x::sigmoid, () -> pos.pow(1.7f),
                () -> pos.pow(e), () -> x.pow(3f));
        List<float[]> first = new ArrayList<>();
        for (Supplier<Tensor> op : ops) {
            check(op);
            first.add(op.get().toArray());
        }
        // Warm up every kernel on a short input (vector body and tail) until C2 has compiled it.
        Tensor s = Tensor.randn(5, 45);
        Tensor sp = s.abs().add(1e-3f);
        for (int k = 0; k < 20_000; k++) {
            s.exp();
            sp.log();
            s.tanh();
            s.sigmoid();
            sp.pow(1.7f);
            sp.pow(s);
            s.pow(3f);
        }
        for (int i = 0; i < ops.size(); i++) {
            assertArrayEquals(first.get(i), ops.get(i).get().toArray(), "op " + i + " changed bits after warm-up");
        }
    }
}
