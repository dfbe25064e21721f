package io.lanestep.reference;

import io.lanestep.Adadelta;
import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.Adamax;
import io.lanestep.Asgd;
import io.lanestep.NAdam;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import io.lanestep.RAdam;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.Sgd;

/**
 * torch 2.x's {@code _single_tensor_*} and {@code _multi_tensor_*} (foreach) paths, float32,
 * written from torch 2.13's operation order, independently of the kernels. {@code f(x)} rounds a
 * double once; {@code lerp(a, b, w)} is {@code fma(w, b - a, a)} for {@code |w| < 0.5}, else
 * {@code fma(w - 1, b - a, b)}; scalars are doubles, {@code t} the step from 1. Per element:
 * <pre>
 * SGD:     single = foreach = 1.13.1 ({@link SgdReference}); fused: {@link Torch2FusedReference}
 * Adam(W): g = maximize ? -g : g;  AdamW, wd != 0: p = p * f(1 - lr·wd);  Adam, wd != 0: g = fma(p, f(wd), g)
 *          m = lerp(m, g, f(1 - b1));  v = fma(f(1 - b2) * g, g, v * f(b2));  s = amsgrad ? vmax = max(vmax, v) : v
 *          p = p + (f(-(lr / (1 - b1^t))) * m) / (sqrt(s) / f(sqrt(1 - b2^t)) + f(eps))
 * RMSprop: g = maximize ? -g : g;  wd: g = fma(p, f(wd), g);  v = fma(f(1 - a) * g, g, v * f(a))
 *          avg = centered ? sqrt(fma(-ga, ga, v)) with ga = lerp(ga, g, f(1 - a)) : sqrt(v);  avg = avg + f(eps)
 *          momentum: buf = buf * f(mom) + g / avg;  p = fma(buf, f(-lr), p)   else p = p + (f(-lr) * g) / avg
 * Adagrad: as 1.13.1: sum = fma(g, g, sum);  p = p + (f(-clr) * g) / (sqrt(sum) + f(eps)), clr = lr / (1 + (t-1)·decay)
 * Adamax:  m = lerp(m, g, f(1 - b1));  u = max(u * f(b2), |g| + f(eps));  p = p + (f(-(lr / (1 - b1^t))) * m) / u
 * NAdam:   g = maximize ? -g : g;  wd: decoupled ? p = p * f(1 - lr·wd) : g = fma(p, f(wd), g)
 *          mu_product = mu_product * f(mu_t);  m = lerp(m, g, f(1 - b1));  v = fma(f(1 - b2) * g, g, v * f(b2))
 *          single: denom = sqrt(v / f(1 - b2^t)) + f(eps);  foreach: denom = sqrt(v) / f(sqrt(1 - b2^t)) + f(eps)
 *          p = p + (f(-lr·(1 - mu_t) / (1 - mp)) * g) / denom;  p = p + (f((-lr·mu_{t+1}) / (1 - mp·mu_{t+1})) * m) / denom
 * RAdam:   g, decay as NAdam;  m = lerp(...);  v = fma(...);  rect as torch, when rho_t > 5
 *          single: mh = m / f(bc1);  rectified: p = p - ((mh * f(lr)) * ((1 / (sqrt(v) + f(eps))) * f(sqrt(bc2)))) * f(rect)
 *                  otherwise p = p - mh * f(lr)
 *          foreach: b = 1 / ((sqrt(v) + f(eps)) / f(-(sqrt(bc2)·(lr·R/bc1)))) + f(-(lr·U/bc1));  p = fma(m, b, p)
 *                  with R = rect or 0, U = R > 0 ? 0 : 1
 * Rprop:   as 1.13.1 ({@link RpropReference})
 * Adadelta: g = maximize ? -g : g;  wd: g = fma(p, f(wd), g);  v = fma(f(1 - rho) * g, g, v * f(rho))
 *          delta = (sqrt(acc + f(eps)) / sqrt(v + f(eps))) * g;  acc = fma(f(1 - rho) * delta, delta, acc * f(rho))
 *          p = fma(delta, f(-lr), p)                                  (every profile; torch 1.13 too)
 * ASGD:    g, wd as Adadelta;  eta, mu: the scalar state of the previous step
 *          single (and 1.13): p = fma(g, -eta, p * f(1 - lambd·eta));  ax = mu != 1 ? ax + (p - ax) * mu : p
 *                  eta = f(lr / (1 + lambd·lr·t)^alpha)
 *          foreach: p = fma(-fma(p, f(lambd), g), eta, p);  ax = fma(p - ax, mu, ax)
 *                  eta = (1 / f(x^alpha)) * f(lr), x = f(t) * f(lambd·lr) + 1 (float32; sqrt for alpha 0.5)
 *          mu = f(1 / max(1, t - t0))
 * </pre>
 */
public final class Torch2Reference {
    private Torch2Reference() {
    }

    /** Whether {@code optimizer} computes a torch 2.x profile (then {@link #step} is its reference). */
    public static boolean applies(Optimizer optimizer) {
        // Adafactor, torch 2.x only, has a reference of its own that also takes matrices.
        return !(optimizer instanceof io.lanestep.Adafactor)
                && (optimizer.numerics().torch2() || optimizer instanceof Adadelta || optimizer instanceof Asgd);
    }

    /** One step of {@code state} (whose step counter this advances). */
    public static void step(Optimizer optimizer, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        switch (optimizer) {
            case Sgd s when s.numerics() == Numerics.TORCH_2_FUSED -> Torch2FusedReference.sgd(s, params, grads,
                    s.momentum() == 0 ? null : state.slot(Sgd.MOMENTUM_BUFFER), t == 1, state.fusedVector());
            case Sgd s -> SgdReference.step(s, params, grads,
                    s.momentum() == 0 ? null : state.slot(Sgd.MOMENTUM_BUFFER), t == 1);
            case Adam a -> adam(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(), false, a.amsgrad(),
                    a.maximize(), a.numerics(), params, grads, state, t);
            case AdamW a -> adam(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(), true, a.amsgrad(),
                    a.maximize(), a.numerics(), params, grads, state, t);
            case Rmsprop r -> rmsprop(r, params, grads, state);
            case Adagrad a -> AdagradReference.step(a, params, grads, state.slot(Adagrad.SUM), t);
            case Adamax a -> adamax(a, params, grads, state, t);
            case NAdam a -> nadam(a, params, grads, state, t);
            case RAdam a -> radam(a, params, grads, state, t);
            case Rprop r -> RpropReference.step(r, params, grads, state.slot(Rprop.PREV), state.slot(Rprop.STEP_SIZE));
            case Adadelta a -> adadelta(a, params, grads, state);
            case Asgd a -> asgd(a, params, grads, state, t);
            default -> throw new IllegalArgumentException(optimizer + " has no torch 2.x profile");
        }
    }

    static float lerp(float a, float b, float w) {
        return Math.abs(w) < 0.5f ? Math.fma(w, b - a, a) : Math.fma(w - 1f, b - a, b);
    }

    private static void adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled,
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

    private static void rmsprop(Rmsprop r, float[] params, float[] grads, ReferenceState state) {
        float[] v = state.slot(Rmsprop.SQUARE_AVG);
        float[] buf = r.momentum() > 0 ? state.slot(Rmsprop.MOMENTUM_BUFFER) : null;
        float[] ga = r.centered() ? state.slot(Rmsprop.GRAD_AVG) : null;
        float w = (float) (1 - r.alpha());
        for (int i = 0; i < params.length; i++) {
            float g = r.maximize() ? -grads[i] : grads[i];
            if (r.weightDecay() != 0) {
                g = Math.fma(params[i], (float) r.weightDecay(), g);
            }
            v[i] = Math.fma(w * g, g, v[i] * (float) r.alpha());
            float avg;
            if (ga != null) {
                ga[i] = lerp(ga[i], g, w);
                avg = (float) Math.sqrt(Math.fma(-ga[i], ga[i], v[i]));
            } else {
                avg = (float) Math.sqrt(v[i]);
            }
            avg = avg + (float) r.eps();
            if (buf != null) {
                buf[i] = buf[i] * (float) r.momentum() + g / avg;
                params[i] = Math.fma(buf[i], (float) -r.lr(), params[i]);
            } else {
                params[i] = params[i] + ((float) -r.lr() * g) / avg;
            }
        }
    }

    private static void adamax(Adamax a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] u = state.slot(Adamax.EXP_INF);
        float negStep = (float) -(a.lr() / (1 - Math.pow(a.beta1(), t)));
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            if (a.weightDecay() != 0) {
                g = Math.fma(params[i], (float) a.weightDecay(), g);
            }
            m[i] = lerp(m[i], g, (float) (1 - a.beta1()));
            u[i] = Math.max(u[i] * (float) a.beta2(), Math.abs(g) + (float) a.eps());
            params[i] = params[i] + (negStep * m[i]) / u[i];
        }
    }

    private static void nadam(NAdam a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        double mu = a.beta1() * (1 - 0.5 * Math.pow(0.96, t * a.momentumDecay()));
        double muNext = a.beta1() * (1 - 0.5 * Math.pow(0.96, (t + 1) * a.momentumDecay()));
        float product = state.scalar(NAdam.MU_PRODUCT) * (float) mu;
        state.setScalar(NAdam.MU_PRODUCT, product);
        double mp = product;
        float gradCoef = (float) (-a.lr() * (1 - mu) / (1 - mp));
        float avgCoef = (float) ((-a.lr() * muNext) / (1 - mp * muNext));
        double bc2 = 1 - Math.pow(a.beta2(), t);
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            float p = params[i];
            if (a.weightDecay() != 0) {
                if (a.decoupledWeightDecay()) {
                    p = p * (float) (1 - a.lr() * a.weightDecay());
                } else {
                    g = Math.fma(p, (float) a.weightDecay(), g);
                }
            }
            m[i] = lerp(m[i], g, (float) (1 - a.beta1()));
            v[i] = Math.fma((float) (1 - a.beta2()) * g, g, v[i] * (float) a.beta2());
            float denom = (foreach ? (float) Math.sqrt(v[i]) / (float) Math.sqrt(bc2)
                    : (float) Math.sqrt(v[i] / (float) bc2)) + (float) a.eps();
            p = p + (gradCoef * g) / denom;
            params[i] = p + (avgCoef * m[i]) / denom;
        }
    }

    private static void radam(RAdam a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        double bc1 = 1 - Math.pow(a.beta1(), t);
        double bc2 = 1 - Math.pow(a.beta2(), t);
        double rhoInf = 2 / (1 - a.beta2()) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(a.beta2(), t) / bc2;
        boolean rectified = rhoT > 5;
        double rect = rectified
                ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        double unrect = (a.lr() * (rect > 0 ? 0 : 1.0) / bc1) * -1;
        float scale = (float) (Math.sqrt(bc2) * (a.lr() * rect / bc1) * -1);
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            float p = params[i];
            if (a.weightDecay() != 0) {
                if (a.decoupledWeightDecay()) {
                    p = p * (float) (1 - a.lr() * a.weightDecay());
                } else {
                    g = Math.fma(p, (float) a.weightDecay(), g);
                }
            }
            m[i] = lerp(m[i], g, (float) (1 - a.beta1()));
            v[i] = Math.fma((float) (1 - a.beta2()) * g, g, v[i] * (float) a.beta2());
            if (foreach) {
                float b = 1f / (((float) Math.sqrt(v[i]) + (float) a.eps()) / scale) + (float) unrect;
                params[i] = Math.fma(m[i], b, p);
            } else {
                float mh = m[i] / (float) bc1;
                if (rectified) {
                    float adaptive = (1f / ((float) Math.sqrt(v[i]) + (float) a.eps())) * (float) Math.sqrt(bc2);
                    params[i] = p - ((mh * (float) a.lr()) * adaptive) * (float) rect;
                } else {
                    params[i] = p - mh * (float) a.lr();
                }
            }
        }
    }

    private static void adadelta(Adadelta a, float[] params, float[] grads, ReferenceState state) {
        float[] v = state.slot(Adadelta.SQUARE_AVG);
        float[] acc = state.slot(Adadelta.ACC_DELTA);
        float rho = (float) a.rho();
        float w = (float) (1 - a.rho());
        float eps = (float) a.eps();
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            if (a.weightDecay() != 0) {
                g = Math.fma(params[i], (float) a.weightDecay(), g);
            }
            v[i] = Math.fma(w * g, g, v[i] * rho);
            float delta = ((float) Math.sqrt(acc[i] + eps) / (float) Math.sqrt(v[i] + eps)) * g;
            acc[i] = Math.fma(w * delta, delta, acc[i] * rho);
            params[i] = Math.fma(delta, (float) -a.lr(), params[i]);
        }
    }

    private static void asgd(Asgd a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] ax = state.slot(Asgd.AX);
        float eta = state.scalar(Asgd.ETA);
        float mu = state.scalar(Asgd.MU);
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        float decay = (float) (1 - a.lambd() * (double) eta);
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            float p = params[i];
            if (a.weightDecay() != 0) {
                g = Math.fma(p, (float) a.weightDecay(), g);
            }
            if (foreach) {
                float q = Math.fma(p, (float) a.lambd(), g);
                p = Math.fma(-q, eta, p);
                ax[i] = Math.fma(p - ax[i], mu, ax[i]);
            } else {
                p = p * decay;
                p = Math.fma(g, -eta, p);
                ax[i] = mu != 1f ? ax[i] + (p - ax[i]) * mu : p;
            }
            params[i] = p;
        }
        float nextEta;
        if (foreach) {
            float x = (float) t * (float) (a.lambd() * a.lr()) + 1f;
            float power = a.alpha() == 0.5 ? (float) Math.sqrt(x) : (float) Math.pow(x, a.alpha());
            nextEta = (1f / power) * (float) a.lr();
        } else {
            nextEta = (float) (a.lr() / Math.pow(1 + a.lambd() * a.lr() * t, a.alpha()));
        }
        state.setScalar(Asgd.ETA, nextEta);
        state.setScalar(Asgd.MU, (float) (1 / Math.max(1, t - a.t0())));
    }
}
