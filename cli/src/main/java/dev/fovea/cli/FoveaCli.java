package dev.fovea.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fovea} command line. The launcher script {@code ./fovea} at the repository root finds
 * a JDK 25, builds this jar when sources change, and runs it with the JVM flags Fovea needs.
 */
@Command(name = "fovea",
        mixinStandardHelpOptions = true,
        versionProvider = FoveaCli.VersionProvider.class,
        description = "Fovea: convolutional neural networks in pure Java on the CPU.",
        subcommands = {InfoCommand.class, SummaryCommand.class, CommandLine.HelpCommand.class})
public final class FoveaCli {
    private FoveaCli() {}

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** Returns the configured picocli command line (also used by tests). */
    public static CommandLine newCommandLine() {
        return new CommandLine(new FoveaCli());
    }

    /** Returns Fovea's version as built into the jar, or {@code "unknown"} outside a build. */
    public static String version() {
        try (InputStream in = FoveaCli.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Supplies {@code --version} output. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Fovea " + version()};
        }
    }
}
