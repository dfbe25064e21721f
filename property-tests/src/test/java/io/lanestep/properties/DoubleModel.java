package io.lanestep.properties;

import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.Optimizer;
import io.lanestep.Sgd;

/**
 * The optimizers' textbook formulas evaluated in double precision, one element at a time, written
 * from the math (seed-math.md, PyTorch's docs), not from the reference's float operation order.
 * Each output comes with the sum of the magnitudes of the terms it is made of, which bounds its
 * float32 rounding error.
 */
final class DoubleModel {
    private DoubleModel() {
    }

    /** One element's outputs: the new param then each state slot in key order, and their magnitudes. */
    record Result(double[] values, double[] magnitudes) {
    }

    static Result step(Optimizer optimizer, double p, double g, double[] slots, long stepsBefore) {
        return switch (optimizer) {
            case Sgd s -> {
                double d = (s.maximize() ? -g : g) + s.weightDecay() * p;
                double md = Math.abs(g) + s.weightDecay() * Math.abs(p);
                if (s.momentum() == 0) {
                    yield new Result(new double[] {p - s.lr() * d}, new double[] {Math.abs(p) + s.lr() * md});
                }
                boolean first = stepsBefore == 0;
                double b = first ? d : s.momentum() * slots[0] + (1 - s.dampening()) * d;
                double mb = first ? md : s.momentum() * Math.abs(slots[0]) + (1 - s.dampening()) * md;
                double dir = s.nesterov() ? d + s.momentum() * b : b;
                double mdir = s.nesterov() ? md + s.momentum() * mb : mb;
                yield new Result(new double[] {p - s.lr() * dir, b},
                        new double[] {Math.abs(p) + s.lr() * mdir, mb});
            }
            case HeavyBallMomentum h -> {
                double v = h.momentum() * slots[0] + h.lr() * g;
                double mv = h.momentum() * Math.abs(slots[0]) + h.lr() * Math.abs(g);
                yield new Result(new double[] {p - v, v}, new double[] {Math.abs(p) + mv, mv});
            }
            case AveragedMomentum a -> {
                double avg = a.momentum() * slots[0] + (1 - a.momentum()) * g;
                double mavg = a.momentum() * Math.abs(slots[0]) + (1 - a.momentum()) * Math.abs(g);
                yield new Result(new double[] {p - a.lr() * avg, avg},
                        new double[] {Math.abs(p) + a.lr() * mavg, mavg});
            }
        };
    }
}
