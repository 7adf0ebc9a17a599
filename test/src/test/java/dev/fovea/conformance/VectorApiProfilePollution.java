package dev.fovea.conformance;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Before any test of this module runs, takes the Vector API's rarely used paths once: masked loads
 * and stores whose vector window leaves the segment, on native and heap segments, with partial and
 * full masks.
 *
 * <p>The JIT profiles the JDK's own vector methods once for the whole JVM, so after any code has
 * taken those paths, every kernel compiled later carries them too. Some kernels then boxed a
 * vector or a mask on every call (a MobileNetV2 run allocated 58-290 KB, 0 in a fresh JVM), which
 * the zero-heap tests caught only when the suite's order happened to shape the profiles that way.
 * Doing it first makes that JVM the one every test here runs in.
 */
public final class VectorApiProfilePollution implements LauncherSessionListener {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder O = ByteOrder.nativeOrder();
    /** Keeps the JIT from discarding the loads. */
    static volatile float sink;

    /** Creates the listener (JUnit loads it through {@code META-INF/services}). */
    public VectorApiProfilePollution() {}

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSegment = arena.allocate(3L * S.length() * Float.BYTES, 64);
            MemorySegment heapSegment = MemorySegment.ofArray(new float[3 * S.length()]);
            for (int round = 0; round < 2_000; round++) {
                takeRarePaths(nativeSegment);
                takeRarePaths(heapSegment);
            }
        }
    }

    private static void takeRarePaths(MemorySegment segment) {
        long end = segment.byteSize();
        float sum = 0;
        for (int lanes = 1; lanes < S.length(); lanes++) {
            VectorMask<Float> partial = VectorMask.fromLong(S, (1L << lanes) - 1);
            long offset = end - (long) lanes * Float.BYTES;
            FloatVector tail = FloatVector.fromMemorySegment(S, segment, offset, O, partial);
            tail.add(1f).intoMemorySegment(segment, offset, O, partial);
            VectorMask<Float> all = VectorMask.fromLong(S, -1L);
            FloatVector head = FloatVector.fromMemorySegment(S, segment, 0, O, all);
            head.intoMemorySegment(segment, 0, O, all);
            sum += tail.reduceLanes(VectorOperators.ADD) + head.lane(0);
        }
        sink = sum;
    }
}
