package io.lanestep.perf;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** The report's picture: throughput of every optimizer per lane width, one block, one thread. */
final class Chart {
    private Chart() {
    }

    static void write(List<Record> records, long size, Path png) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String optimizer : Workloads.NAMES) {
            for (String width : Suite.WIDTHS) {
                records.stream().filter(r -> r.optimizer().equals(optimizer) && r.width().equals(width)
                                && r.size() == size && r.threads() == 1).findFirst()
                        .ifPresent(r -> data.addValue(r.gbPerS(), label(width), optimizer));
            }
            records.stream().filter(r -> r.width().equals("roofline") && Workloads.sameRow("roofline", r.optimizer(), optimizer)
                            && r.size() == size && r.threads() == 1).findFirst()
                    .ifPresent(r -> data.addValue(r.gbPerS(), "roofline", optimizer));
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "Optimizer step throughput per lane width (" + size + " floats, 1 thread)",
                "optimizer", "GB/s moved (params, grads and state, read + written)", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.GRAY);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 700);
    }

    static String label(String width) {
        return switch (width) {
            case "SCALAR" -> "scalar";
            case "PREFERRED" -> "preferred";
            default -> width.replace("BITS_", "") + "-bit";
        };
    }
}
