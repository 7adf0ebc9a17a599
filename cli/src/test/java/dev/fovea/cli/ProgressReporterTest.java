package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.train.BatchResult;
import dev.fovea.nn.train.EpochResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    private static String feed(ProgressReporter.Mode mode, int batches) {
        StringWriter s = new StringWriter();
        ProgressReporter r = new ProgressReporter(new PrintWriter(s), System.out, mode);
        r.epochStarted(1, 3, batches);
        for (int b = 0; b < batches; b++) {
            r.batchEnded(new BatchResult(1, b, batches, 64, 0.5, 0.25, 0.9, 6400, 0.01 * (b + 1)));
        }
        r.epochEnded(new EpochResult(1, 0.25, 0.9, 0.125, 0.95, 0.999, 1e-3, 12.4, 6400));
        return s.toString();
    }

    @Test
    void linesModePrintsTenLinesAnEpochWhateverItsLength() {
        for (int batches : new int[] {1, 7, 10, 32, 938}) {
            String out = feed(ProgressReporter.Mode.LINES, batches);
            long lines = out.lines().filter(l -> l.contains("batches]")).count();
            assertEquals(Math.min(batches, 10), lines, out);
            assertTrue(out.contains("epoch 2/3 100% [" + batches + "/" + batches + " batches]"), out);
        }
        String out = feed(ProgressReporter.Mode.LINES, 938);
        assertTrue(out.startsWith("epoch 2/3  10% [94/938 batches]  loss 0.2500  acc 90.00%  6,400 img/s  ETA 0:08\n"),
                out);
        assertTrue(out.endsWith("epoch 2/3 done in 0:12: train loss 0.2500 acc 90.00% | val loss 0.1250 acc 95.00%"
                + " | lr 0.00100 | 6,400 img/s\n"), out);
    }

    @Test
    void noneModePrintsOnlyTheEpochLine() {
        String out = feed(ProgressReporter.Mode.NONE, 50);
        assertEquals(1, out.lines().count(), out);
    }

    @Test
    void theBarFitsAnEightyColumnTerminalAndKeepsItsWidth() {
        String extra = "loss 0.170 acc 95.4% 5,647 img/s ETA 0:08";
        String half = ProgressReporter.render("epoch 1/3", 469, 938, extra, 79);
        assertEquals("epoch 1/3  50% │█████     │ 469/938 " + extra, half);
        String start = ProgressReporter.render("epoch 1/3", 0, 938, null, 79);
        assertEquals(half.lastIndexOf("│ "), start.lastIndexOf("│ "), "the bar does not change width:\n" + half + "\n" + start);
        String wide = ProgressReporter.render("epoch 1/3", 469, 938, extra, 200);
        assertTrue(wide.contains("│" + "█".repeat(20) + " ".repeat(20) + "│"), wide);
        assertTrue(ProgressReporter.render("epoch 1/3", 1, 8, extra, 40).length() <= 40);
        assertTrue(ProgressReporter.render("epoch 1/3", 1, 16, extra, 200).contains("│██▌" + " ".repeat(37) + "│"), "2.5 of 40 cells");
    }

    @Test
    void durationsReadAsMinutesAndSeconds() {
        assertEquals("0:00", ProgressReporter.duration(0.4));
        assertEquals("1:05", ProgressReporter.duration(65));
        assertEquals("1:01:01", ProgressReporter.duration(3661));
    }
}
