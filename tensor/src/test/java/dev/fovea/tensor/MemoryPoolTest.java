package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.internal.TensorAccess;
import org.junit.jupiter.api.Test;

/** Scopes on a {@link MemoryPool}: blocks reused, zeros kept, use after close or release refused. */
class MemoryPoolTest {
    @Test
    void aLoopOfScopesAllocatesOnlyInItsFirstIteration() {
        try (MemoryPool pool = MemoryPool.create()) {
            long before = MemoryStats.totalAllocatedBytes();
            float[] want = new float[8];   // row sums of relu(x x + 1), x[i][j] = 8i + j, in double
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    double s = 1;
                    for (int k = 0; k < 8; k++) {
                        s += (8.0 * i + k) * (8.0 * k + j);
                    }
                    want[i] += (float) Math.max(s, 0);
                }
            }
            for (int i = 0; i < 50; i++) {
                try (Scope scope = Scope.open(pool)) {
                    Tensor x = Tensor.arange(64f).reshape(8, 8);
                    Tensor y = x.matmul(x).add(1f).relu();
                    assertArrayEquals(want, y.sum(1).toArray(), "iteration " + i);
                }
                if (i == 0) {
                    before = MemoryStats.totalAllocatedBytes();
                }
            }
            assertEquals(before, MemoryStats.totalAllocatedBytes(), "off-heap bytes allocated after the first iteration");
            assertTrue(pool.retainedBytes() > 0 && pool.idleBytes() == pool.retainedBytes(), pool.toString());
            long live = MemoryStats.liveBytes();
            pool.close();
            assertEquals(live - pool.retainedBytes(), MemoryStats.liveBytes(), "closing the pool uncounts its blocks");
        }
    }

    @Test
    void reusedBlocksStartAsZerosUnlessAskedUninitialized() {
        try (MemoryPool pool = MemoryPool.create()) {
            try (Scope scope = Scope.open(pool)) {
                Tensor.empty(16).fill(5f);
            }
            try (Scope scope = Scope.open(pool)) {
                assertArrayEquals(new float[16], Tensor.empty(16).toArray(), "a reused block is zero-filled");
                Tensor.zeros(16).fill(3f);
            }
            try (Scope scope = Scope.open(pool)) {
                // Ops that overwrite every element skip the fill; with assertions on (as here) the block is
                // filled with NaN instead, so an op that reads an element it did not write shows.
                float first = TensorAccess.get().uninitialized(new long[] {16}).get(0);
                if (MemoryPool.class.desiredAssertionStatus()) {
                    assertTrue(Float.isNaN(first), "poisoned: " + first);
                } else {
                    assertEquals(3f, first);
                }
            }
        }
    }

    @Test
    void releaseHandsTheBlockToTheNextAllocationAndKillsItsViews() {
        try (MemoryPool pool = MemoryPool.create(); Scope scope = Scope.open(pool)) {
            Tensor a = Tensor.ones(4, 4);
            Tensor view = a.t();
            Tensor outside;
            try (var unscoped = Scope.suspend()) {
                outside = Tensor.ones(4, 4);
            }
            assertFalse(scope.release(outside), "not this scope's tensor");
            assertTrue(scope.release(a));
            assertFalse(scope.release(view), "released already");
            assertEquals(pool.retainedBytes(), pool.idleBytes());
            Tensor b = Tensor.zeros(4, 4);
            assertEquals(0, pool.idleBytes(), "the released block was reused");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.sum());
            assertTrue(e.getMessage().contains("freed"), e.getMessage());
            assertEquals(0f, b.sum().item());
            assertEquals(16f, outside.sum().item());
        }
    }

    @Test
    void tensorsOfAClosedPooledScopeCannotBeUsed() {
        try (MemoryPool pool = MemoryPool.create()) {
            Tensor t;
            try (Scope scope = Scope.open(pool)) {
                t = Tensor.ones(3);
            }
            assertFalse(t.isAlive());
            assertThrows(IllegalStateException.class, t::toArray);
            pool.close();
            assertThrows(IllegalArgumentException.class, () -> Scope.open(pool));
        }
    }
}
