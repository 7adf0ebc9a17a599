package dev.fovea.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntToDoubleFunction;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Npy} against files written by real NumPy and by round trips.
 *
 * <p>The fixtures in {@code src/test/resources/npy/} were made by
 * {@code scripts/fixtures/make_npy_fixtures.py} (NumPy 1.24.2); each array is a formula that the
 * tests below recompute, for example {@code f8_3x4.npy = (np.arange(12, dtype="<f8") / 7.0).reshape(3, 4)}.
 */
class NpyTest {
    static final LongFunction<MemorySegment> ALLOC = n -> Arena.ofAuto().allocate(n * Float.BYTES, 64);

    @TempDir
    Path tmp;

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /npy/" + name);
            }
            return in.readAllBytes();
        }
    }

    private NpyArray readFixture(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, fixture(name));
        NpyArray viaPath = Npy.read(p, ALLOC);
        NpyArray viaStream = Npy.read(new ByteArrayInputStream(fixture(name)), 1 << 20, ALLOC);
        assertEquals(viaPath, viaStream, "path and stream readers agree on " + name);
        return viaPath;
    }

    private void check(String name, long[] shape, IntToDoubleFunction value) throws IOException {
        NpyArray a = readFixture(name);
        assertArrayEquals(shape, a.shape(), name);
        float[] got = a.data().toArray(ValueLayout.JAVA_FLOAT);
        assertEquals(a.size(), got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals((float) value.applyAsDouble(i), got[i], name + " element " + i);
        }
    }

    @Test
    void float32FixturesInEveryLayoutAndVersion() throws IOException {
        check("f4_2x3.npy", new long[] {2, 3}, i -> i);
        check("f4_1d_5.npy", new long[] {5}, i -> i - 2.5);
        check("f4_scalar.npy", new long[] {}, i -> 3.5);
        check("f4_empty_0x3.npy", new long[] {0, 3}, i -> 0);
        check("f4be_2x3.npy", new long[] {2, 3}, i -> i * 1.5);
        check("f4_v2_2x3.npy", new long[] {2, 3}, i -> i);
        check("f4_v3_2x3.npy", new long[] {2, 3}, i -> i);
    }

    @Test
    void otherDtypesAreConvertedToFloat32() throws IOException {
        // (float) of a double rounds to nearest even, as NumPy's astype(float32) does.
        check("f8_3x4.npy", new long[] {3, 4}, i -> (float) (i / 7.0));
        check("f8be_3x4.npy", new long[] {3, 4}, i -> (float) (i / 7.0));
        check("i8_2x3.npy", new long[] {2, 3}, i -> (float) ((i - 3L) * 5000001L));
        check("i4be_3x4.npy", new long[] {3, 4}, i -> i - 5);
        long[] i4 = {-2147483648L, -1, 0, 2147483647L};
        check("i4_4.npy", new long[] {4}, i -> (float) i4[i]);
        int[] u1 = {0, 1, 127, 128, 255};
        check("u1_5.npy", new long[] {5}, i -> u1[i]);
    }

    @Test
    void fortranOrderIsTransposedIntoCOrder() throws IOException {
        check("f4_fortran_2x3x4.npy", new long[] {2, 3, 4}, i -> i);
        check("i8_fortran_3x5.npy", new long[] {3, 5}, i -> i);
        check("f8be_fortran_4x2.npy", new long[] {4, 2}, i -> i);
    }

    @Test
    void writerReproducesNumPyByteForByte() throws IOException {
        float[][] data = {{0, 1, 2, 3, 4, 5}, {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f}, {3.5f}, {}};
        String[] names = {"f4_2x3.npy", "f4_1d_5.npy", "f4_scalar.npy", "f4_empty_0x3.npy"};
        long[][] shapes = {{2, 3}, {5}, {}, {0, 3}};
        for (int k = 0; k < names.length; k++) {
            Path p = tmp.resolve("w" + k + ".npy");
            Npy.write(p, shapes[k], MemorySegment.ofArray(data[k]), 0);
            assertArrayEquals(fixture(names[k]), Files.readAllBytes(p), names[k]);
        }
    }

    @Test
    void roundTripsWithOffsetsAndOddShapes() throws IOException {
        long[][] shapes = {{}, {0}, {1}, {7}, {3, 0, 2}, {2, 3, 4, 5}, {1, 1, 1, 1, 1, 1, 1, 9}, {100_000}};
        for (long[] shape : shapes) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            MemorySegment src = ALLOC.apply(n + 3);
            for (long i = 0; i < n + 3; i++) {
                src.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 5 == 0 ? Float.NaN : (float) Math.sin(i) * 1e6f);
            }
            Path p = tmp.resolve("rt.npy");
            Npy.write(p, shape, src, 3);
            assertEquals(0, (Files.size(p) - 4 * n) % 64, "header padded to 64 bytes");
            NpyArray back = Npy.read(p, ALLOC);
            assertArrayEquals(shape, back.shape());
            assertEquals(-1, back.data().mismatch(src.asSlice(3 * Float.BYTES, n * Float.BYTES)), "data bits");
        }
    }

    @Test
    void headerVariantsNumPyAccepts() throws IOException {
        float v = 2.5f;
        for (String dict : new String[] {
            "{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1L,), }",
            "{'descr':'<f4','fortran_order':True,'shape':(1 ,)}  \n",
            "  {'descr': '<f4', 'fortran_order': False, 'shape': (1, )}\n\n",
        }) {
            NpyArray a = Npy.read(new ByteArrayInputStream(NpyFuzzTest.npy(dict, floats(v))), 1024, ALLOC);
            assertArrayEquals(new long[] {1}, a.shape(), dict);
            assertEquals(v, a.data().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
    }

    @Test
    void malformedHeadersAreRejectedWithAReason() {
        String[][] cases = {
            {"{'descr': '<f4', 'fortran_order': False}", "missing key"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected key 'x'"},
            {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", "duplicate key"},
            {"{'descr': '<f4', 'fortran_order': false, 'shape': ()}", "expected True or False"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "shape[0] is negative"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "written (n,)"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "does not fit"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", "too many elements"},
            {"{'descr': '<c8', 'fortran_order': False, 'shape': ()}", "unsupported dtype '<c8'"},
            {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", "expected a quoted string"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", "unexpected text after the dict"},
            {"{'descr': '<f\\4', 'fortran_order': False, 'shape': ()}", "escapes"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,),", "expected a quoted string"},
        };
        for (String[] c : cases) {
            IOException e = assertThrows(IOException.class,
                    () -> Npy.read(new ByteArrayInputStream(NpyFuzzTest.npy(c[0], new byte[64])), 1 << 20, ALLOC), c[0]);
            assertTrue(e.getMessage().startsWith("Invalid .npy") && e.getMessage().contains(c[1]),
                    c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void sizesAreCheckedBeforeAllocating() throws IOException {
        LongFunction<MemorySegment> mustNotAllocate = n -> {
            throw new AssertionError("allocator called for " + n + " floats");
        };
        byte[] big = NpyFuzzTest.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,)}", new byte[16]);
        IOException limit = assertThrows(IOException.class,
                () -> Npy.read(new ByteArrayInputStream(big), 1 << 20, mustNotAllocate));
        assertTrue(limit.getMessage().contains("over the size limit"), limit.getMessage());
        Path p = tmp.resolve("big.npy");
        Files.write(p, big);
        IOException truncated = assertThrows(IOException.class, () -> Npy.read(p, mustNotAllocate));
        assertTrue(truncated.getMessage().startsWith("Truncated .npy") && truncated.getMessage().contains("needs 4000000000"),
                truncated.getMessage());
        Files.write(p, NpyFuzzTest.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", new byte[12]));
        IOException trailing = assertThrows(IOException.class, () -> Npy.read(p, mustNotAllocate));
        assertTrue(trailing.getMessage().contains("4 unexpected bytes after the data"), trailing.getMessage());
        byte[] shortStream = NpyFuzzTest.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", new byte[20]);
        IOException eof = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(shortStream), 1 << 20, ALLOC));
        assertTrue(eof.getMessage().startsWith("Truncated .npy: end of input in the data"), eof.getMessage());
    }

    @Test
    void callerMistakesAreIllegalArguments() {
        MemorySegment four = MemorySegment.ofArray(new float[4]);
        Path p = tmp.resolve("x.npy");
        assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new long[] {5}, four, 0));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new long[] {2}, four, 3));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new long[] {2}, four, -1));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new long[] {-2}, four, 0));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new long[] {1L << 40, 1L << 40}, four, 0));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new long[] {3}, four));
        byte[] ok = NpyFuzzTest.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", new byte[16]);
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> Npy.read(new ByteArrayInputStream(ok), 100, n -> MemorySegment.ofArray(new float[1])));
        assertTrue(small.getMessage().contains("allocateFloats(4) returned 4 bytes"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Npy.read(new ByteArrayInputStream(ok), -1, ALLOC));
    }

    static byte[] floats(float... v) {
        byte[] b = new byte[v.length * 4];
        MemorySegment.ofArray(b).copyFrom(MemorySegment.ofArray(v));
        return b;
    }
}
