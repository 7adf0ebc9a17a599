package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SummaryCommandTest {
    @Test
    void leNet5SummaryHasTheLayersAndTotals() {
        CommandLine cli = FoveaCli.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("summary", "--model", "lenet5"));
        String s = out.toString();
        assertTrue(s.contains("features.0 (Conv2d)") && s.contains("[1, 6, 28, 28]")
                && s.contains("classifier.4 (Linear)") && s.contains("Total params: 61,706")
                && s.contains("Total MACs: 416,520"), s);
    }

    @Test
    void unknownModelsAndBadShapesAreUsageErrors() {
        CommandLine cli = FoveaCli.newCommandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("summary", "--model", "resnet17"));
        assertTrue(err.toString().contains("unknown model 'resnet17'") && err.toString().contains("resnet18"),
                err.toString());
        assertEquals(2, cli.execute("summary", "--model", "lenet5", "--input", "1,1,0,32"));
        assertTrue(err.toString().contains("--input sizes must be >= 1"), err.toString());
    }
}
