package dev.fovea.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
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
        subcommands = {InfoCommand.class, SummaryCommand.class, TrainCommand.class, PredictCommand.class,
            VisualizeCommand.class, InferCommand.class, CommandLine.HelpCommand.class})
public final class FoveaCli {
    private FoveaCli() {}

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        // The plots and image grids are drawn off screen; never look for a display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(newCommandLine().execute(args));
    }

    /**
     * Returns the configured picocli command line (also used by tests). A usage error prints its
     * message and where to find help, and exits with 2; a bad input found while running (a file
     * that is not an image, weights of another model) prints {@code fovea <command>: message}
     * and exits with 1, without a stack trace. A {@link Commands.UsageException} prints the same
     * one line and exits with 2.
     */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new FoveaCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getColorScheme().errorText(e.getMessage()));
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
            }
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IOException
                    || e instanceof UncheckedIOException) {
                String message = e.getMessage() != null ? e.getMessage() : e.toString();
                if (e instanceof java.nio.file.NoSuchFileException) {
                    message = "no such file: " + message;
                }
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
                cmd.getErr().flush();
                return e instanceof Commands.UsageException ? cmd.getCommandSpec().exitCodeOnInvalidInput()
                        : cmd.getCommandSpec().exitCodeOnExecutionException();
            }
            throw e;
        });
        return cli;
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
