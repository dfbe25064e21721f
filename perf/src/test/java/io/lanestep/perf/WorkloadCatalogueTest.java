package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.Optimizer;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks and the report measure every elementwise optimizer the engine permits, those
 * without a configuration in {@code Workloads} at their defaults. Muon's step is matrix products,
 * whose cost grows with the matrix's shape rather than its element count: it has no row in the
 * per-element table.
 */
class WorkloadCatalogueTest {
    @Test
    void theBenchmarksMeasureEveryOptimizer() {
        Set<String> permitted = Arrays.stream(Optimizer.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .filter(name -> !name.equals("Muon")).collect(Collectors.toCollection(TreeSet::new));
        Set<String> measured = Workloads.NAMES.stream().map(n -> Workloads.optimizer(n).getClass().getSimpleName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(permitted, measured, "Workloads.NAMES must name a workload of every permitted optimizer");
    }
}
