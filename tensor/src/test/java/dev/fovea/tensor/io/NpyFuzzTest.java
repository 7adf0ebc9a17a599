package dev.fovea.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of {@link Npy#read}: valid files (NumPy's fixtures and synthesized ones)
 * are truncated, bit-flipped, given lying shapes, huge dimensions, wrong header lengths and junk,
 * then read through a stream and through a seekable channel. Every outcome must be either a
 * consistent array or an {@link IOException} of the documented kinds ("Invalid .npy...",
 * "Truncated .npy..."); anything else (OOM, NegativeArraySize, IndexOutOfBounds, a runtime
 * exception, an allocation beyond the limit) fails with the case number to replay.
 */
class NpyFuzzTest {
    private static final long LIMIT = 1 << 20;
    private static final int CASES = 10_000;
    /** Characters that matter to the header grammar, written over random header bytes. */
    private static final String PUNCTUATION = "{}()',: \n\\\"TFL-0123456789x";

    /** A version 1.0 file with this header dict, padded like NumPy's, followed by {@code data}. */
    static byte[] npy(String dict, byte[] data) {
        int hlen = dict.length() + 1;
        int pad = 64 - (10 + hlen) % 64;
        ByteBuffer b = ByteBuffer.allocate(10 + hlen + pad + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (hlen + pad));
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        return b.put((byte) '\n').put(data).array();
    }

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> s = new ArrayList<>();
        for (String f : new String[] {"f4_2x3.npy", "f4_scalar.npy", "f4_empty_0x3.npy", "f8be_3x4.npy", "i8_fortran_3x5.npy",
                "u1_5.npy", "f4_v2_2x3.npy", "f4_v3_2x3.npy", "f4_fortran_2x3x4.npy"}) {
            s.add(NpyTest.fixture(f));
        }
        s.add(npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2, 2)}", new byte[32]));
        return s;
    }

    @Test
    void mutatedFilesGiveValidArraysOrCleanIoExceptions() throws IOException {
        List<byte[]> seeds = seeds();
        SplittableRandom rnd = new SplittableRandom(20240601);
        int accepted = 0;
        int rejected = 0;
        long t0 = System.nanoTime();
        for (int c = 0; c < CASES; c++) {
            byte[] in = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            for (boolean seekable : new boolean[] {false, true}) {
                try {
                    NpyArray a = seekable
                            ? Npy.read(new BytesChannel(in), LIMIT, allocator(c))
                            : Npy.read(new ByteArrayInputStream(in), LIMIT, allocator(c));
                    assertTrue(Arrays.stream(a.shape()).allMatch(d -> d >= 0), "case " + c);
                    assertTrue(a.data().byteSize() <= LIMIT, "case " + c);
                    accepted++;
                } catch (IOException e) {
                    String m = String.valueOf(e.getMessage());
                    if (!m.startsWith("Invalid .npy") && !m.startsWith("Truncated .npy")) {
                        fail("case " + c + ": IOException of an undocumented kind: " + m, e);
                    }
                    rejected++;
                } catch (RuntimeException | Error e) {
                    fail("case " + c + " (seekable=" + seekable + "): " + e + " for input " + head(in), e);
                }
            }
        }
        // Both outcomes must be common, or the mutations are too mild or too destructive to test much.
        assertTrue(accepted > CASES / 20, "accepted " + accepted);
        assertTrue(rejected > CASES / 2, "rejected " + rejected);
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "fuzzing should take a few seconds");
    }

    private static LongFunction<MemorySegment> allocator(int c) {
        return n -> {
            assertTrue(n >= 0 && n * Float.BYTES <= LIMIT, "case " + c + ": allocation of " + n + " floats over the limit");
            return Arena.ofAuto().allocate(Math.max(n, 1) * Float.BYTES);
        };
    }

    private static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] b = seed.clone();
        int kind = r.nextInt(7);
        switch (kind) {
            case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
            case 1 -> { // flip bits, mostly in the prelude and header
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = r.nextInt(Math.min(b.length, r.nextBoolean() ? 12 : b.length));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> b = replaceShape(b, lyingShape(r));
            case 3 -> { // wrong header length field
                int v = r.nextInt(3) == 0 ? r.nextInt() : (b[8] & 0xff) + r.nextInt(-70, 70);
                b[8] = (byte) v;
                b[9] = (byte) (v >>> 8);
                if (b[6] != 1 && b.length > 11) {
                    b[10] = (byte) (v >>> 16);
                    b[11] = (byte) (v >>> 24);
                }
            }
            case 4 -> { // junk appended or data dropped
                b = Arrays.copyOf(b, Math.max(0, b.length + r.nextInt(-9, 9)));
            }
            case 5 -> b = replace(b, "'<f4'|'>f8'|'<i8'|'|u1'|'>i4'", new String[] {"'<f2'", "'<u8'", "'f4'", "'|f4'", "'<f4 '",
                    "('<f4', (2,))", "'\u00e9f4'", "'<f8'", "'|u1'"}[r.nextInt(9)]);
            default -> b[r.nextInt(b.length)] = (byte) PUNCTUATION.charAt(r.nextInt(PUNCTUATION.length()));
        }
        return b;
    }

    private static String lyingShape(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> "(" + r.nextLong(0, 40) + ", " + r.nextLong(0, 40) + ")";
            case 1 -> "(" + Long.MAX_VALUE + ",)";
            case 2 -> "(4294967296, 4294967296, 4294967296)";
            case 3 -> "(" + "1, ".repeat(r.nextInt(60, 70)) + ")";
            case 4 -> "(" + r.nextInt(-3, 3) + ",)";
            default -> "(" + r.nextInt(0, 300_000) + ",)";
        };
    }

    /** Replaces the shape tuple in the header text, keeping the header length field consistent. */
    private static byte[] replaceShape(byte[] b, String shape) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("'shape': (");
        if (at < 0) {
            return b;
        }
        int end = s.indexOf(')', at);
        return rebuild(s.substring(0, at + 9) + shape + s.substring(end + 1), b);
    }

    private static byte[] replace(byte[] b, String regex, String with) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        return rebuild(s.replaceFirst(regex.replace("|u1", "\\|u1").replace("'|'", "'\\|'"), with), b);
    }

    /** Re-encodes a modified file, re-fitting the header to its length field when it is a 1.0 file. */
    private static byte[] rebuild(String s, byte[] original) {
        if (original[6] != 1 || s.indexOf('\n') < 0) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        int nl = s.indexOf('\n');
        String dict = s.substring(10, nl).strip();
        byte[] data = Arrays.copyOfRange(s.getBytes(StandardCharsets.ISO_8859_1), nl + 1, s.length());
        return npy(dict, data);
    }

    private static String head(byte[] b) {
        return new String(Arrays.copyOf(b, Math.min(b.length, 100)), StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?");
    }

    /** An in-memory {@link SeekableByteChannel}, so the size checks of the seekable path are fuzzed too. */
    private static final class BytesChannel implements SeekableByteChannel {
        private final byte[] b;
        private int pos;

        BytesChannel(byte[] b) {
            this.b = b;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (pos >= b.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), b.length - pos);
            dst.put(b, pos, n);
            pos += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            return pos;
        }

        @Override
        public SeekableByteChannel position(long p) {
            pos = (int) p;
            return this;
        }

        @Override
        public long size() {
            return b.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Test
    void synthesizedHeaderMatchesNumPysLayout() {
        assertEquals(0, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new byte[0]).length % 64);
    }
}
