package dev.fovea.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Runs the command line in this JVM and keeps what it printed.
 *
 * @param exitCode the command's exit code
 * @param out what it wrote to standard output
 * @param err what it wrote to standard error
 */
record Cli(int exitCode, String out, String err) {
    /** The repository's MNIST, relative to the cli module (where surefire runs). */
    static final Path MNIST = Path.of("..", "data", "mnist");

    /** Runs {@code fovea args...}. */
    static Cli run(String... args) {
        CommandLine cli = FoveaCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
