package dev.fovea.cli;

import dev.fovea.nn.train.EpochResult;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG plots of a training run, drawn with XChart: loss and accuracy per epoch, and the confusion matrix. */
final class Plots {
    /** Size of the loss and accuracy plots, in pixels. */
    static final int CURVE_WIDTH = 800;
    /** Height of the loss and accuracy plots. */
    static final int CURVE_HEIGHT = 500;
    /** Size of the confusion matrix plot. */
    static final int CONFUSION_WIDTH = 760;
    /** Height of the confusion matrix plot. */
    static final int CONFUSION_HEIGHT = 680;

    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VAL = new Color(0xff7f0e);

    private Plots() {}

    /** Training and validation loss per epoch. */
    static void loss(List<EpochResult> epochs, String title, Path file) throws IOException {
        curves(epochs, title + ": loss", "cross-entropy loss", 1, EpochResult::trainLoss, EpochResult::valLoss,
                file);
    }

    /** Training and validation accuracy per epoch, in percent. */
    static void accuracy(List<EpochResult> epochs, String title, Path file) throws IOException {
        curves(epochs, title + ": accuracy", "accuracy (%)", 100, EpochResult::trainAccuracy,
                EpochResult::valAccuracy, file);
    }

    private static void curves(List<EpochResult> epochs, String title, String yTitle, double scale,
                               ToDoubleFunction<EpochResult> train, ToDoubleFunction<EpochResult> val, Path file)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(CURVE_WIDTH).height(CURVE_HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        XYStyler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal).setChartBackgroundColor(Color.WHITE).setMarkerSize(8)
                .setAntiAlias(true);
        s.setPlotGridLinesVisible(true);
        s.setXAxisDecimalPattern("0").setXAxisMin(0.5).setXAxisMax(epochs.size() + 0.5);
        s.setYAxisDecimalPattern(scale == 1 ? "0.000" : "0.0");
        List<Double> x = new ArrayList<>();
        List<Double> yTrain = new ArrayList<>();
        List<Double> yVal = new ArrayList<>();
        for (EpochResult e : epochs) {
            x.add(e.epoch() + 1.0);
            yTrain.add(scale * train.applyAsDouble(e));
            yVal.add(scale * val.applyAsDouble(e));
        }
        XYSeries t = chart.addSeries("train (mean over the epoch)", x, yTrain);
        t.setMarker(SeriesMarkers.CIRCLE).setLineColor(TRAIN);
        t.setMarkerColor(TRAIN);
        if (yVal.stream().noneMatch(v -> v.isNaN())) {
            XYSeries v = chart.addSeries("validation (after the epoch)", x, yVal);
            v.setMarker(SeriesMarkers.DIAMOND).setLineColor(VAL);
            v.setMarkerColor(VAL);
        }
        save(chart, file);
    }

    /**
     * The confusion matrix as a heat map, true classes down, predicted classes across, each
     * non-zero cell showing its count (empty cells are zeros). A count {@code c} is coloured as
     * {@code log(1 + c) / log(1 + max)} from pale yellow to red, so that the few mistakes stand out
     * beside the diagonal's thousands; XChart interpolates its colour stops linearly, so the
     * logarithmic scale is a table of one stop per count (at most {@link #COLOUR_STOPS}).
     */
    static void confusion(long[][] matrix, List<String> classNames, String title, Path file) throws IOException {
        int n = matrix.length;
        long max = max(matrix);
        HeatMapChart chart = new HeatMapChartBuilder().width(CONFUSION_WIDTH).height(CONFUSION_HEIGHT)
                .title(title + ": confusion matrix on the test set")
                .xAxisTitle("predicted class").yAxisTitle("true class").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE)
                .setLegendVisible(false).setAntiAlias(true);
        chart.getStyler().setShowValue(true).setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, n > 10 ? 9 : 13))
                .setValueFontColor(Color.BLACK).setHeatMapValueDecimalPattern("0")
                .setRangeColors(logColours(max)).setMin(0).setMax(max);
        if (classNames.stream().anyMatch(c -> c.length() > 6)) {
            chart.getStyler().setXAxisLabelRotation(30);
        }
        List<String> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            x.add(label(classNames, c));
            y.add(label(classNames, n - 1 - c));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                if (matrix[r][c] != 0) {
                    cells.add(new Number[] {c, n - 1 - r, matrix[r][c]});
                }
            }
        }
        chart.addSeries("confusion", x, y, cells);
        save(chart, file);
    }

    /** Most colour stops of the confusion matrix's scale. */
    static final int COLOUR_STOPS = 4096;

    /** Evenly spaced colour stops over {@code [0, max]} whose colours follow {@code log(1 + value)}. */
    private static Color[] logColours(long max) {
        int stops = (int) Math.min(max + 1, COLOUR_STOPS);
        // Yellow to red (ColorBrewer YlOrRd); zero cells are not drawn, so the lowest count is already visible.
        Color[] ramp = {new Color(0xffffcc), new Color(0xffeda0), new Color(0xfeb24c), new Color(0xf03b20)};
        Color[] out = new Color[Math.max(stops, 2)];
        for (int i = 0; i < out.length; i++) {
            double value = (double) max * i / (out.length - 1);
            double t = Math.log1p(value) / Math.log1p(max) * (ramp.length - 1);
            int k = Math.min((int) t, ramp.length - 2);
            double f = t - k;
            out[i] = new Color(mix(ramp[k].getRed(), ramp[k + 1].getRed(), f),
                    mix(ramp[k].getGreen(), ramp[k + 1].getGreen(), f), mix(ramp[k].getBlue(), ramp[k + 1].getBlue(), f));
        }
        return out;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }

    private static String label(List<String> names, int c) {
        return c < names.size() ? names.get(c) : Integer.toString(c);
    }

    private static long max(long[][] m) {
        long max = 1;
        for (long[] row : m) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        return max;
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
