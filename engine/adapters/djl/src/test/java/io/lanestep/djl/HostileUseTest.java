package io.lanestep.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import io.lanestep.Adam;
import io.lanestep.CheckpointException;
import io.lanestep.Lanestep;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DJL adapter under misuse a training program can fall into: each is a clear exception naming
 * the parameter and the fix, with no parameter written and no state kept, or, where PyTorch
 * accepts it (a parameter first stepped late), the same behaviour as PyTorch.
 */
class HostileUseTest {
    private static final int DIMS = 6;
    private static final int CLASSES = 3;

    @Test
    void aClosedManagerIsAnExceptionNamingTheParameter() {
        NDManager manager = NDManager.newBaseManager("PyTorch");
        try (LanestepOptimizer optimizer = LanestepOptimizer.builder(Adam.defaults()).build()) {
            NDArray weight = manager.create(LanestepOptimizerTest.random(1, 64));
            NDArray grad = manager.create(LanestepOptimizerTest.random(2, 64));
            optimizer.update("w", weight, grad);
            manager.close();
            var e = assertThrows(IllegalStateException.class, () -> optimizer.update("w", weight, grad));
            assertTrue(e.getMessage().contains("parameter w: weight was closed"), e.getMessage());
            assertEquals(1, optimizer.states().get("w").step());
        }
    }

    @Test
    void aParameterWithoutAGradientRefusesTheWholeStep() {
        try (Model model = DjlTraining.mlp(DIMS, 8, CLASSES);
             LanestepOptimizer optimizer = LanestepOptimizer.builder(Lanestep.adam()).build()) {
            // DJL attaches a zero gradient to every parameter at initialisation; detach the last one's.
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, DIMS));
            model.getBlock().getParameters().valueAt(3).getArray().setRequiresGradient(false);
            List<float[]> before = weights(model);
            var e = assertThrows(IllegalStateException.class, () -> optimizer.step(model.getBlock()));
            assertTrue(e.getMessage().contains("has no gradient") && e.getMessage().contains("backward pass"),
                    e.getMessage());
            assertEquals(before.size(), weights(model).size());
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), weights(model).get(i), "a refused step wrote a parameter");
            }
            assertTrue(optimizer.states().isEmpty(), "a refused step kept states: " + optimizer.states().keySet());
        }
    }

    @Test
    void aRefusedFirstStepKeepsNoStateToBeSaved() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             LanestepOptimizer optimizer = LanestepOptimizer.builder(Adam.defaults()).build()) {
            NDArray weight = manager.create(LanestepOptimizerTest.random(3, 64));
            NDArray gradient = manager.create(LanestepOptimizerTest.random(4, 64));
            NDArray closed = manager.create(LanestepOptimizerTest.random(5, 64));
            closed.close();
            assertThrows(IllegalStateException.class, () -> optimizer.update("w", weight, closed));
            assertTrue(optimizer.states().isEmpty(), "a refused first step kept a state");
            optimizer.update("w", weight, gradient);
            assertEquals(1, optimizer.states().get("w").step());
        }
    }

    /** As {@code add_param_group} in PyTorch: a parameter first stepped late starts its own state at step 1. */
    @Test
    void aParameterAddedAfterTheFirstStepStartsItsOwnState() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             LanestepOptimizer optimizer = LanestepOptimizer.builder(Adam.defaults()).build();
             LanestepOptimizer fresh = LanestepOptimizer.builder(Adam.defaults()).build()) {
            NDArray w = manager.create(LanestepOptimizerTest.random(6, 64));
            NDArray g = manager.create(LanestepOptimizerTest.random(7, 64));
            optimizer.update("w", w, g);
            optimizer.update("w", w, g);
            NDArray late = manager.create(LanestepOptimizerTest.random(8, 32));
            NDArray lateAlone = late.duplicate();
            NDArray lateGrad = manager.create(LanestepOptimizerTest.random(9, 32));
            optimizer.update("late", late, lateGrad);
            fresh.update("late", lateAlone, lateGrad);
            assertEquals(2, optimizer.states().get("w").step());
            assertEquals(1, optimizer.states().get("late").step());
            assertArrayEquals(lateAlone.toFloatArray(), late.toFloatArray(), "a late parameter steps as a new run's");
        }
    }

    @Test
    void theModelClosedBetweenStepsAndAStateForAnotherShapeAreRefused() throws Exception {
        Blobs train = Blobs.generate(1, 128, DIMS, CLASSES);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        try (Model model = DjlTraining.mlp(DIMS, 8, CLASSES);
             LanestepOptimizer optimizer = LanestepOptimizer.builder(Lanestep.adam()).build();
             Trainer trainer = DjlTraining.trainer(model, optimizer, DIMS)) {
            ArrayDataset data = DjlTraining.dataset(model.getNDManager(), train, 64);
            DjlTraining.fit(trainer, data, 1, optimizer);
            optimizer.save(saved, model.getBlock());
        }
        try (Model wider = DjlTraining.mlp(DIMS, 9, CLASSES);
             LanestepOptimizer optimizer = LanestepOptimizer.builder(Lanestep.adam()).build();
             Trainer trainer = DjlTraining.trainer(wider, optimizer, DIMS)) {
            var e = assertThrows(CheckpointException.class,
                    () -> optimizer.restore(new ByteArrayInputStream(saved.toByteArray()), wider.getBlock()));
            assertTrue(e.getMessage().contains("shape"), e.getMessage());
            assertTrue(optimizer.states().isEmpty(), "a refused restore kept states");
        }
        Model model = DjlTraining.mlp(DIMS, 8, CLASSES);
        try (LanestepOptimizer optimizer = LanestepOptimizer.builder(Lanestep.adam()).build()) {
            Trainer trainer = DjlTraining.trainer(model, optimizer, DIMS);
            DjlTraining.fit(trainer, DjlTraining.dataset(model.getNDManager(), train, 64), 1, optimizer);
            model.close();
            var e = assertThrows(IllegalStateException.class, () -> optimizer.step(model.getBlock()));
            assertTrue(e.getMessage().contains("was closed"), e.getMessage());
            trainer.close();
        }
    }

    private static List<float[]> weights(Model model) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.getBlock().getParameters().values()) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }
}
