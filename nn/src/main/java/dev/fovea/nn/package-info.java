/**
 * Fovea nn module. Its API arrives with the issues that need it; the module exists now so that the
 * dependency direction simd &lt;- tensor &lt;- nn &lt;- onnx &lt;- cli is fixed from the start.
 */
package dev.fovea.nn;
