/**
 * Fovea kernels: GEMM, convolution, pooling, elementwise and reduction kernels written with the
 * JDK Vector API over off-heap {@link java.lang.foreign.MemorySegment}s, the CPU capability probe
 * and the {@link dev.fovea.simd.parallel.ComputeContext} that runs them on threads.
 */
module dev.fovea.simd {
    requires jdk.incubator.vector;

    exports dev.fovea.simd;
    exports dev.fovea.simd.gemm;
    exports dev.fovea.simd.conv;
    exports dev.fovea.simd.parallel;
    exports dev.fovea.simd.eltwise;
    exports dev.fovea.simd.reduce;
    exports dev.fovea.simd.pool;
    exports dev.fovea.simd.norm;
    exports dev.fovea.simd.resample;
    exports dev.fovea.simd.softmax;
}
