package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Lerp.lerp;
import static io.lanestep.reference.Models.adam;

import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.Numerics;

/**
 * PyTorch 1.13.1 {@code Adam} and {@code AdamW}, {@code _single_tensor_adam(w)}, float32. At step
 * {@code t} (from 1), with {@code bc1 = 1 - beta1^t}, {@code bc2 = 1 - beta2^t} in double
 * ({@code Math.pow}), per element:
 * <pre>
 * g = maximize ? -g : g
 * AdamW:                    p = p * f(1 - lr·weightDecay)
 * Adam, weightDecay != 0:   g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * s = amsgrad ? (vmax = max(vmax, v)) : v
 * denom = sqrt(s) / f(sqrt(bc2)) + f(eps)
 * p = p + (f(-(lr / bc1)) * m) / denom
 * </pre>
 * and in the epsilon-hat form ({@link Adam#epsilonHat()}, DJL's and DL4J's) the last two lines are
 * <pre>
 * denom = sqrt(s) + f(eps)
 * p = p + (f(-(lr · sqrt(bc2) / bc1)) * m) / denom
 * </pre>
 *
 * <p>torch 2.x's {@code _single_tensor_*} and {@code _multi_tensor_*} (foreach) paths, written from
 * torch 2.13's operation order ({@code torch2} below); {@code lerp} is torch's ({@code Lerp}), {@code t} the step
 * from 1: the fused kernel's last {@code n mod lanes} elements
 * ({@link ReferenceState#fusedVector()}) group v's sum the other way, {@code fma(v, f(b2), (f(1 - b2) * g) * g)},
 * and keep the old amsgrad maximum against a NaN.
 * <pre>
 * Adam(W): g = maximize ? -g : g;  AdamW, wd != 0: p = p * f(1 - lr·wd);  Adam, wd != 0: g = fma(p, f(wd), g)
 *          m = lerp(m, g, f(1 - b1));  v = fma(f(1 - b2) * g, g, v * f(b2));  s = amsgrad ? vmax = max(vmax, v) : v
 *          p = p + (f(-(lr / (1 - b1^t))) * m) / (sqrt(s) / f(sqrt(1 - b2^t)) + f(eps))
 * </pre>
 */
public final class AdamReference {
    private AdamReference() {
    }

    /** One Adam step at step number {@code t}; {@code maxSq} is ignored without amsgrad. */
    public static void step(Adam c, float[] params, float[] grads, float[] m, float[] v, float[] maxSq, long t) {
        step(c.lr(), c.beta1(), c.beta2(), c.eps(), c.weightDecay(), false, c.amsgrad(), c.maximize(),
                c.epsilonHat(), params, grads, m, v, maxSq, t);
    }

    /** One AdamW step at step number {@code t}; {@code maxSq} is ignored without amsgrad. */
    public static void step(AdamW c, float[] params, float[] grads, float[] m, float[] v, float[] maxSq, long t) {
        step(c.lr(), c.beta1(), c.beta2(), c.eps(), c.weightDecay(), true, c.amsgrad(), c.maximize(),
                false, params, grads, m, v, maxSq, t);
    }

    private static void step(double lr, double beta1, double beta2, double eps, double weightDecay,
                             boolean decoupled, boolean amsgrad, boolean maximize, boolean epsilonHat,
                             float[] params, float[] grads,
                             float[] m, float[] v, float[] maxSq, long t) {
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float negStepSize = (float) (-(lr / bc1));
        float hatStepSize = (float) (-(lr * Math.sqrt(bc2) / bc1));
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decayFactor = (float) (1 - lr * weightDecay);
        float decay = (float) weightDecay;
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float e = (float) eps;
        for (int i = 0; i < params.length; i++) {
            float g = maximize ? -grads[i] : grads[i];
            float p = params[i];
            if (decoupled) {
                p = p * decayFactor;
            } else if (weightDecay != 0) {
                g = Math.fma(p, decay, g);
            }
            m[i] = Math.fma(g, oneMinusB1, m[i] * b1);
            v[i] = Math.fma(oneMinusB2 * g, g, v[i] * b2);
            float s = v[i];
            if (amsgrad) {
                maxSq[i] = Math.max(maxSq[i], v[i]);
                s = maxSq[i];
            }
            if (epsilonHat) {
                params[i] = p + (hatStepSize * m[i]) / ((float) Math.sqrt(s) + e);
            } else {
                float denom = (float) Math.sqrt(s) / bc2Sqrt + e;
                params[i] = p + (negStepSize * m[i]) / denom;
            }
        }
    }

    /** One step of {@code a} under its numerics: torch 1.13.1's, or torch 2.x's. */
    public static void step(Adam a, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        if (a.numerics().torch2()) {
            torch2(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(), false, a.amsgrad(), a.maximize(),
                    a.numerics(), params, grads, state, t);
        } else {
            step(a, params, grads, state.slot(Adam.EXP_AVG), state.slot(Adam.EXP_AVG_SQ),
                    a.amsgrad() ? state.slot(Adam.MAX_EXP_AVG_SQ) : null, t);
        }
    }

    /** One step of {@code a} under its numerics: torch 1.13.1's, or torch 2.x's. */
    public static void step(AdamW a, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        if (a.numerics().torch2()) {
            torch2(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(), true, a.amsgrad(), a.maximize(),
                    a.numerics(), params, grads, state, t);
        } else {
            step(a, params, grads, state.slot(Adam.EXP_AVG), state.slot(Adam.EXP_AVG_SQ),
                    a.amsgrad() ? state.slot(Adam.MAX_EXP_AVG_SQ) : null, t);
        }
    }

    static void torch2(double lr, double b1, double b2, double eps, double wd, boolean decoupled,
                             boolean amsgrad, boolean maximize, Numerics numerics, float[] params, float[] grads,
                             ReferenceState state, long t) {
        // torch's fused kernel: the same sequence, but its last n mod 8 elements group v's sum the
        // other way (n mod 16 for 16-bit parameters), and their amsgrad maximum keeps the old value against a NaN.
        int tail = numerics == Numerics.TORCH_2_FUSED ? params.length - params.length % state.fusedVector() : params.length;
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] vmax = amsgrad ? state.slot(Adam.MAX_EXP_AVG_SQ) : null;
        float w = (float) (1 - b1);
        float negStep = (float) -(lr / (1 - Math.pow(b1, t)));
        float bc2s = (float) Math.sqrt(1 - Math.pow(b2, t));
        for (int i = 0; i < params.length; i++) {
            float g = maximize ? -grads[i] : grads[i];
            float p = params[i];
            if (wd != 0) {
                if (decoupled) {
                    p = p * (float) (1 - lr * wd);
                } else {
                    g = Math.fma(p, (float) wd, g);
                }
            }
            m[i] = lerp(m[i], g, w);
            v[i] = i >= tail ? Math.fma(v[i], (float) b2, ((float) (1 - b2) * g) * g)
                    : Math.fma((float) (1 - b2) * g, g, v[i] * (float) b2);
            float s = v[i];
            if (amsgrad) {
                vmax[i] = i >= tail ? (vmax[i] < v[i] ? v[i] : vmax[i]) : Math.max(vmax[i], v[i]);
                s = vmax[i];
            }
            params[i] = p + (negStep * m[i]) / ((float) Math.sqrt(s) / bc2s + (float) eps);
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Adam a, float pf, float gf, float[] slots, float[] scalars, long t) {
        return adam(exact(pf), exact(a.maximize() ? -gf : gf), slots, t, a.lr(), a.beta1(), a.beta2(), a.eps(),
                a.weightDecay(), false, a.amsgrad(), a.numerics().torch2(), a.epsilonHat());
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(AdamW a, float pf, float gf, float[] slots, float[] scalars, long t) {
        return adam(exact(pf), exact(a.maximize() ? -gf : gf), slots, t, a.lr(), a.beta1(), a.beta2(), a.eps(),
                a.weightDecay(), true, a.amsgrad(), a.numerics().torch2(), false);
    }
}
