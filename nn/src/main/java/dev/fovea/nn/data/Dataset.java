package dev.fovea.nn.data;

/**
 * A labelled dataset for classification whose samples all have one shape, read by index: what a
 * {@link DataLoader} batches. Implementations must allow concurrent reads from several threads
 * (the loader prepares the next batch on another thread).
 */
public interface Dataset {
    /** The number of samples. */
    int size();

    /** The shape of one sample, e.g. {@code {1, 28, 28}} (channels, height, width). */
    long[] sampleShape();

    /** The number of classes; labels are in {@code [0, classes)}. */
    int classes();

    /**
     * Writes sample {@code index} (row-major, {@link #sampleShape()} many floats) to {@code dst}
     * from {@code offset} on.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    void sample(int index, float[] dst, int offset);

    /** The label of sample {@code index}. */
    int label(int index);

    /**
     * The samples {@code [from, to)} of this dataset as a dataset of their own (a view, nothing copied).
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= size()}
     */
    default Dataset slice(int from, int to) {
        if (from < 0 || from > to || to > size()) {
            throw new IllegalArgumentException("Dataset.slice: [" + from + ", " + to + ") is not within [0, " + size()
                    + "]");
        }
        Dataset whole = this;
        return new Dataset() {
            @Override
            public int size() {
                return to - from;
            }

            @Override
            public long[] sampleShape() {
                return whole.sampleShape();
            }

            @Override
            public int classes() {
                return whole.classes();
            }

            @Override
            public void sample(int index, float[] dst, int offset) {
                whole.sample(from + java.util.Objects.checkIndex(index, to - from), dst, offset);
            }

            @Override
            public int label(int index) {
                return whole.label(from + java.util.Objects.checkIndex(index, to - from));
            }
        };
    }
}
