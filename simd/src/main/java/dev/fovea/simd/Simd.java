package dev.fovea.simd;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * What the kernels run on: the Vector API with a given vector width, or the scalar fallback.
 *
 * <p>Decided once, at class initialisation, from three inputs:
 * <ul>
 *   <li>whether the module {@code jdk.incubator.vector} is in the boot layer (it is when the JVM
 *       runs with {@code --add-modules jdk.incubator.vector}, or when Fovea is on the module path);
 *   <li>{@code -Dfovea.simd=scalar}, which forces the scalar kernels;
 *   <li>{@code -Dfovea.simd.bits=0|128|256|512}, which caps the vector width ({@code 0} means
 *       scalar); the default is the CPU's preferred width ({@code FloatVector.SPECIES_PREFERRED}).
 * </ul>
 * Whenever the scalar path is chosen, one line is logged through {@link System.Logger} naming the
 * reason: WARNING when the module is missing, INFO when a property forced it. Library code never sets
 * {@code jdk.incubator.vector.*} properties.
 *
 * <p>{@link #VECTOR} and {@link #BITS} are {@code static final} so that the JIT folds the dispatch
 * in every kernel facade to a constant.
 */
public final class Simd {
    /** System property that forces the scalar kernels when set to {@code scalar}. */
    public static final String SIMD_PROPERTY = "fovea.simd";
    /** System property that caps the vector width in bits: 0 (scalar), 128, 256 or 512. */
    public static final String BITS_PROPERTY = "fovea.simd.bits";

    private static final System.Logger LOG = System.getLogger(Simd.class.getName());
    private static final Status STATUS = probe();

    /** True when kernels take their Vector API path. */
    public static final boolean VECTOR = STATUS.bits > 0;
    /** Vector width in bits used by the kernels; 0 on the scalar path. */
    public static final int BITS = STATUS.bits;

    private record Status(int bits, int preferredBits, String reason) {}

    private Simd() {}

    /** Returns true when kernels use the Vector API, false when they run the scalar fallback. */
    public static boolean vectorEnabled() {
        return VECTOR;
    }

    /** Returns the vector width the kernels use, in bits (0 on the scalar path). */
    public static int vectorBits() {
        return BITS;
    }

    /** Returns the CPU's preferred vector width in bits, or 0 when the Vector API is unavailable. */
    public static int preferredBits() {
        return STATUS.preferredBits;
    }

    /** Returns the number of float lanes in one vector the kernels use (1 on the scalar path). */
    public static int floatLanes() {
        return VECTOR ? BITS / Float.SIZE : 1;
    }

    /** Returns a short description of the kernel path, e.g. {@code "vector 512-bit (16 float lanes)"}. */
    public static String describe() {
        return VECTOR
                ? String.format(Locale.ROOT, "vector %d-bit (%d float lanes)", BITS, floatLanes())
                : "scalar";
    }

    /** Returns why the kernels run where they do: a sentence naming the deciding input. */
    public static String reason() {
        return STATUS.reason;
    }

    private static Status probe() {
        if ("scalar".equalsIgnoreCase(System.getProperty(SIMD_PROPERTY, "").trim())) {
            return forcedScalar("-D" + SIMD_PROPERTY + "=scalar");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            String why = "module jdk.incubator.vector is not in the boot layer: run java with "
                    + "--add-modules jdk.incubator.vector to use the vector kernels";
            LOG.log(Level.WARNING, "Fovea runs its scalar kernels: " + why);
            return new Status(0, 0, why);
        }
        int preferred = preferredOrZero();
        if (preferred == 0) {
            String why = "the Vector API could not be initialised on this JVM";
            LOG.log(Level.WARNING, "Fovea runs its scalar kernels: " + why);
            return new Status(0, 0, why);
        }
        String requested = System.getProperty(BITS_PROPERTY);
        if (requested == null || requested.isBlank()) {
            return new Status(preferred, preferred, "the CPU's preferred vector width");
        }
        int bits;
        try {
            bits = Integer.parseInt(requested.trim());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits == 0) {
            return forcedScalar("-D" + BITS_PROPERTY + "=0");
        }
        if (bits != 64 && bits != 128 && bits != 256 && bits != 512) {
            LOG.log(Level.WARNING, "Ignoring -D" + BITS_PROPERTY + "=" + requested
                    + ": expected 0, 128, 256 or 512; using " + preferred + " bits");
            return new Status(preferred, preferred, "the CPU's preferred vector width");
        }
        if (bits > preferred) {
            LOG.log(Level.WARNING, "-D" + BITS_PROPERTY + "=" + bits + " exceeds the CPU's preferred "
                    + preferred + " bits; using " + preferred);
            return new Status(preferred, preferred, "the CPU's preferred vector width (request capped)");
        }
        return new Status(bits, preferred, "vector width set by -D" + BITS_PROPERTY + "=" + bits);
    }

    private static Status forcedScalar(String property) {
        String why = "scalar kernels forced by " + property;
        LOG.log(Level.INFO, "Fovea runs its scalar kernels: " + why);
        return new Status(0, preferredOrZero(), why);
    }

    private static int preferredOrZero() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return 0;
        }
        try {
            return dev.fovea.simd.internal.VectorProbe.preferredBits();
        } catch (LinkageError e) {
            return 0;
        }
    }
}
