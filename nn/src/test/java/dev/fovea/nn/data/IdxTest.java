package dev.fovea.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Idx}: files the test writes byte by byte, plain and gzipped, and broken or lying ones. */
class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file: magic, dims, then {@code data}. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        byte[] pixels = new byte[2 * 3 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 11);
        }
        byte[] file = idx(0x08, new int[] {2, 3, 4}, pixels);
        for (Path p : new Path[] {write("a-idx3-ubyte", file), write("b.gz", gzip(file)), write("c", gzip(file))}) {
            Idx.Array a = Idx.read(p);
            assertEquals(Idx.Type.UBYTE, a.type());
            assertArrayEquals(new int[] {2, 3, 4}, a.dims());
            assertArrayEquals(pixels, a.data());
            assertEquals(253, a.intAt(23), "unsigned: 23 * 11 = 253");
        }
    }

    @Test
    void integerTypesAreBigEndian() throws IOException {
        byte[] data = {(byte) 0xff, (byte) 0xfe, 0x01, 0x02};
        assertEquals(-2, Idx.read(write("s", idx(0x0B, new int[] {2}, data))).intAt(0));
        assertEquals(258, Idx.read(write("s2", idx(0x0B, new int[] {2}, data))).intAt(1));
        assertEquals(0xfffe0102, Idx.read(write("i", idx(0x0C, new int[] {1}, data))).intAt(0));
        assertEquals(-1, Idx.read(write("b", idx(0x09, new int[] {4}, data))).intAt(0));
    }

    @Test
    void brokenFilesAreRejectedWithTheReason() throws IOException {
        rejects(new byte[] {0, 0, 8}, "too few for the 4-byte magic");
        rejects(new byte[] {1, 0, 8, 1, 0, 0, 0, 0}, "expected two zero bytes");
        rejects(idx(0x07, new int[] {1}, new byte[1]), "unknown element type 0x07");
        rejects(new byte[] {0, 0, 8, 0}, "declares 0 dimensions");
        rejects(new byte[] {0, 0, 8, 2, 0, 0, 0, 1, 0, 0}, "ends inside its 2 dimension sizes");
        rejects(idx(0x08, new int[] {-1}, new byte[0]), "dimension 0 is 4294967295");
        rejects(idx(0x08, new int[] {60000, 28, 28}, new byte[100]), "need 47040000 data bytes, the file has 100 (truncated)");
        rejects(idx(0x08, new int[] {2}, new byte[3]), "need 2 data bytes, the file has more (trailing bytes)");
        // A header claiming 2^31 x 2^31 x 4 bytes: rejected before anything is allocated.
        rejects(idx(0x0C, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]), "need more than");
    }

    @Test
    void aTruncatedGzipStreamIsReported() throws IOException {
        byte[] gz = gzip(idx(0x08, new int[] {1000}, new byte[1000]));
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length - 12); // drop the gzip trailer and some data
        Exception e = assertThrows(Exception.class, () -> Idx.read(write("cut.gz", cut)));
        assertTrue(e instanceof IOException || e.getMessage().contains("truncated"), e.toString());
    }

    /** Seeded mutations of a valid file: every outcome is a parsed array or a clear exception, never anything else. */
    @Test
    void mutatedFilesGiveResultsOrClearErrors() throws IOException {
        byte[] valid = idx(0x08, new int[] {3, 5, 5}, new byte[75]);
        SplittableRandom r = new SplittableRandom(20261121);
        int parsed = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] m = valid.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                m[r.nextInt(Math.min(m.length, 20))] = (byte) r.nextInt(256);
            }
            if (r.nextInt(4) == 0) {
                m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 8));
            }
            Path p = write("m" + (i % 8), m);
            try {
                Idx.Array a = Idx.read(p);
                assertEquals(a.elements() * a.type().bytes(), a.data().length);
                parsed++;
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("Invalid IDX file "), e.getMessage());
            }
        }
        assertTrue(parsed > 0 && parsed < 2000, "both outcomes occur: " + parsed);
    }

    private void rejects(byte[] bytes, String message) throws IOException {
        Path p = write("bad", bytes);
        String m = assertThrows(IllegalArgumentException.class, () -> Idx.read(p)).getMessage();
        assertTrue(m.contains(message) && m.contains(p.toString()), m);
    }
}
