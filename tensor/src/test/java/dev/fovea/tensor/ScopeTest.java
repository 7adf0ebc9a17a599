package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ScopeTest {
    private static void assertFreed(org.junit.jupiter.api.function.Executable call, String op) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertTrue(e.getMessage().startsWith(op + ": tensor storage was freed when its Scope closed"), e.getMessage());
    }

    @Test
    void useAfterCloseThrowsIllegalStateException() {
        Tensor t;
        Tensor view;
        try (Scope scope = Scope.open()) {
            t = Tensor.ones(4, 4);
            view = t.t();
            assertTrue(t.isAlive());
            assertEquals(16f, t.sum().item());
        }
        assertFalse(t.isAlive());
        assertFalse(view.isAlive());
        Tensor dead = t;
        assertFreed(() -> dead.add(dead), "add");
        assertFreed(() -> dead.matmul(dead), "matmul");
        assertFreed(() -> dead.sum(), "sum");
        assertFreed(dead::toArray, "toArray");
        assertFreed(() -> dead.get(0, 0), "get");
        assertFreed(dead::segment, "segment");
        assertFreed(() -> view.select(0, 0), "select");
        assertFreed(() -> Tensor.zeros(4, 4).copyFrom(dead), "copyFrom");
        assertTrue(dead.toString().contains("<storage freed when its Scope closed>, shape=[4, 4]"), dead.toString());
    }

    @Test
    void liveBytesReturnToBaselineAfterScope() {
        long baseline = MemoryStats.liveBytes();
        long beforeClose;
        long allocated;
        Scope scope = Scope.open();
        try {
            Tensor a = Tensor.zeros(1000);
            Tensor b = a.add(1f).reshape(10, 100);
            assertEquals(8000, scope.allocatedBytes());
            assertTrue(b.isAlive());
            allocated = scope.allocatedBytes();
            beforeClose = MemoryStats.liveBytes();
        } finally {
            scope.close();
        }
        long after = MemoryStats.liveBytes();
        // GC-managed storage freed meanwhile can only lower the count further
        assertTrue(beforeClose - after >= allocated, () -> "dropped by " + (beforeClose - after));
        assertTrue(after <= baseline, () -> "after " + after + " > baseline " + baseline);
        assertFalse(scope.isOpen());
        scope.close();
    }

    @Test
    void nestedScopesFreeInnerFirst() {
        try (Scope outer = Scope.open()) {
            Tensor kept = Tensor.ones(3);
            Tensor inner;
            try (Scope in = Scope.open()) {
                inner = kept.mul(2f);
                assertEquals(12L, in.allocatedBytes());
            }
            assertFalse(inner.isAlive());
            assertTrue(kept.isAlive());
            assertEquals(3f, kept.sum().item());
        }
    }

    @Test
    void closingOutOfOrderOrFromAnotherThreadFails() throws Exception {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("close scopes in reverse order"), e.getMessage());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                inner.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.start();
        other.join();
        assertTrue(failure.get() instanceof IllegalStateException);
        assertTrue(failure.get().getMessage().contains("closed by the thread that opened it"));
        inner.close();
        outer.close();
    }

    @Test
    void suspendAllocatesOutsideTheScope() {
        Tensor kept;
        try (Scope scope = Scope.open()) {
            Tensor temp = Tensor.arange(5);
            try (Scope.Suspension unscoped = Scope.suspend()) {
                kept = temp.mul(2f);
            }
            assertEquals(20, scope.allocatedBytes());
        }
        assertTrue(kept.isAlive());
        Ref.assertValues(kept, 0, 2, 4, 6, 8);
    }

    @Test
    void otherThreadsAllocateOutsideThisThreadsScope() throws Exception {
        AtomicReference<Tensor> made = new AtomicReference<>();
        try (Scope scope = Scope.open()) {
            Thread t = new Thread(() -> made.set(Tensor.ones(2)));
            t.start();
            t.join();
            // a large op runs on ComputeContext workers, which read and write the scope's shared arena
            Tensor big = Tensor.ones(1 << 17).add(Tensor.ones(1 << 17));
            assertEquals(2f * (1 << 17), big.sum().item());
        }
        assertTrue(made.get().isAlive());
    }

    @Test
    void backwardThroughAGraphWhoseScopeClosedThrows() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor loss;
        try (Scope scope = Scope.open()) {
            loss = w.mul(Tensor.full(2f, 3)).sum();
        }
        Tensor dead = loss;
        assertFreed(dead::backward, "backward");
    }

    @Test
    void leafGradientsLiveBesideTheLeafNotInTheStepScope() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        for (int step = 0; step < 2; step++) {
            try (Scope scope = Scope.open()) {
                w.mul(2f).sum().backward();
            }
        }
        assertTrue(w.grad().isAlive());
        Ref.assertValues(w.grad(), 4, 4, 4);
    }
}
