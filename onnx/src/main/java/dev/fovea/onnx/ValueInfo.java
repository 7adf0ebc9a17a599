package dev.fovea.onnx;

import java.util.Arrays;
import java.util.List;

/**
 * A graph input or output as the model declares it.
 *
 * @param name the value's name
 * @param type the element type
 * @param dims each dim's size, or -1 where the model leaves it open (e.g. a dynamic batch)
 * @param dimNames each dim's symbolic name (such as "batch"), or "" when it has none
 */
public record ValueInfo(String name, ElementType type, long[] dims, List<String> dimNames) {
    /** Copies the arrays. */
    public ValueInfo {
        dims = dims.clone();
        dimNames = List.copyOf(dimNames);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Returns true if every dim is fixed. */
    public boolean isStatic() {
        return Arrays.stream(dims).allMatch(d -> d >= 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueInfo v && v.name.equals(name) && v.type == type && Arrays.equals(v.dims, dims)
                && v.dimNames.equals(dimNames);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(": ").append(type).append(" [");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i] >= 0 ? String.valueOf(dims[i])
                    : dimNames.get(i).isEmpty() ? "?" : dimNames.get(i));
        }
        return sb.append(']').toString();
    }
}
