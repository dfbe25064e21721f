import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A user's program on the plain classpath (no module-info): minimizes f(p) = sum (p - 3)^2 with
 * Adam over heap params and off-heap state, then prints the largest distance from the minimum.
 */
public class Consumer {
    public static void main(String[] args) {
        float[] params = new float[1000];
        float[] grads = new float[params.length];
        Adam adam = new Adam(0.05, 0.9, 0.999, 1e-8, 0, false, false);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(LaneWidth.preferred())) {
            OptimizerState state = adam.newState(params.length, arena);
            MemorySegment p = MemorySegment.ofArray(params);
            MemorySegment g = MemorySegment.ofArray(grads);
            for (int t = 0; t < 500; t++) {
                for (int i = 0; i < params.length; i++) {
                    grads[i] = 2 * (params[i] - 3);
                }
                engine.step(adam, state, p, g);
            }
        }
        float worst = 0;
        for (float x : params) {
            worst = Math.max(worst, Math.abs(x - 3));
        }
        System.out.println("max |p - 3| = " + worst);
    }
}
