package io.lanestep.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns the measurements of one run into report records: every ratio is taken within the run. */
final class Analysis {
    private final List<Measurement> measurements;

    Analysis(List<Measurement> measurements) {
        this.measurements = measurements;
    }

    Optional<Measurement> find(String kind, String optimizer, long size, int threads) {
        return measurements.stream().filter(m -> m.kind().equals(kind) && Workloads.sameRow(kind, m.optimizer(), optimizer)
                && m.size() == size && m.threads() == threads).findFirst();
    }

    List<Record> records() {
        List<Record> records = new ArrayList<>();
        String cpu = Cpu.model();
        for (Measurement m : measurements) {
            double ns = m.nsPerElement();
            if (m.optimizer().equals(MuonBench.WORKLOAD)) {
                // matrix products: no bytes-per-element roofline, reference or segment loop to compare
                records.add(new Record(m.optimizer(), m.kind(), m.size(), m.threads(), ns, Double.NaN, null, null, null,
                        m.bytesPerStep(), cpu));
                continue;
            }
            double bytes = Workloads.bytesPerElement(m.optimizer());
            Double roofline = find("roofline", m.optimizer(), m.size(), m.threads())
                    .map(r -> r.nsPerElement() / ns).orElse(null);
            Double reference = find("reference", m.optimizer(), m.size(), 1)
                    .map(r -> r.nsPerElement() / ns).orElse(null);
            Double segmentLoop = find("SCALAR", m.optimizer(), m.size(), 1)
                    .map(r -> r.nsPerElement() / ns).orElse(null);
            records.add(new Record(m.optimizer(), m.kind(), m.size(), m.threads(), ns, bytes / ns, roofline,
                    reference, segmentLoop, m.bytesPerStep(), cpu));
        }
        return records;
    }
}
