/** Fovea tensors: off-heap n-d float tensors, views, broadcasting ops and reverse-mode autograd. */
module dev.fovea.tensor {
    requires transitive dev.fovea.simd;

    exports dev.fovea.tensor;
}
