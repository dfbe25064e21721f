package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * The soak run (not in CI): every benchmarked optimizer takes {@code steps} steps (10^6 by
 * default) on a small block of odd length, at the preferred width, next to the scalar reference,
 * and params and state must stay equal bit for bit; they are compared every 10 000 steps and at
 * the end. Usage: {@code Soak [steps]}; exits 1 on the first difference.
 */
public final class Soak {
    private static final int LENGTH = 67;

    private Soak() {
    }

    public static void main(String[] args) {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Engine engine = Engine.create(LaneWidth.preferred());
        for (String name : Workloads.NAMES) {
            Optimizer optimizer = Workloads.optimizer(name);
            SplittableRandom random = new SplittableRandom(name.hashCode());
            float[] params = new float[LENGTH];
            float[] grads = new float[LENGTH];
            for (int i = 0; i < LENGTH; i++) {
                params[i] = (float) random.nextGaussian();
            }
            ReferenceState reference = new ReferenceState(optimizer, LENGTH);
            long start = System.nanoTime();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = Floats.copyOf(arena, params);
                MemorySegment g = Floats.allocate(arena, LENGTH);
                OptimizerState state = optimizer.newState(LENGTH, arena);
                for (long t = 1; t <= steps; t++) {
                    for (int i = 0; i < LENGTH; i++) {
                        // Gradients pull towards 0 with noise, so long runs stay finite.
                        grads[i] = (float) (0.01 * params[i] + 1e-3 * random.nextGaussian());
                        g.setAtIndex(Floats.LAYOUT, i, grads[i]);
                    }
                    engine.step(optimizer, state, p, g);
                    Reference.step(optimizer, params, grads, reference);
                    if (t % 10_000 == 0 || t == steps) {
                        String diff = firstDifference(p, params, state, reference, optimizer);
                        if (diff != null) {
                            System.out.println("SOAK FAILED: " + name + " at step " + t + ": " + diff);
                            System.exit(1);
                        }
                    }
                }
            }
            System.out.printf("soak %-26s %,d steps equal to the reference (%.1f s)%n", name, steps,
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private static String firstDifference(MemorySegment p, float[] params, OptimizerState state,
                                          ReferenceState reference, Optimizer optimizer) {
        float[] engineParams = Floats.toArray(p);
        for (int i = 0; i < LENGTH; i++) {
            if (Float.floatToIntBits(engineParams[i]) != Float.floatToIntBits(params[i])) {
                return "params[" + i + "] " + engineParams[i] + " != " + params[i];
            }
        }
        for (String key : optimizer.stateKeys()) {
            float[] a = Floats.toArray(state.slot(key));
            float[] b = reference.slot(key);
            for (int i = 0; i < LENGTH; i++) {
                if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                    return key + "[" + i + "] " + a[i] + " != " + b[i];
                }
            }
        }
        return null;
    }
}
