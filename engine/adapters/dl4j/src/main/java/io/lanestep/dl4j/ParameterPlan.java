package io.lanestep.dl4j;

import io.lanestep.Adam;
import io.lanestep.Muon;
import io.lanestep.Optimizer;
import io.lanestep.Sgd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Where each of a network's parameters lies in its flat view, and what DL4J's configuration says
 * to do with it: Lanestep steps it, DL4J's rule for "gradients" that are updates applies
 * ({@code p -= g}, how BatchNorm's running statistics move), or nothing touches it (frozen layers).
 */
record ParameterPlan(List<Entry> entries) {

    enum Kind { LANESTEP, RAW_UPDATE, FROZEN }

    /**
     * One parameter: its range in the flat views, its Lanestep configuration and L2 coefficient, and
     * for a matrix the row-major shape its flat range has ({@code rows x cols}; 0 x 0 otherwise).
     */
    record Entry(String key, long offset, long length, Kind kind, Optimizer base, ISchedule l2, long rows,
                 long cols) {
    }

    static ParameterPlan of(MultiLayerNetwork net, Function<Integer, Optimizer> perLayer) {
        return of(net, perLayer, null);
    }

    /**
     * The plan, with every matrix (rank 2, both sizes above 1: weights, not DL4J's [1, n] biases)
     * stepped by {@code matrices} when it is not null.
     */
    static ParameterPlan of(MultiLayerNetwork net, Function<Integer, Optimizer> perLayer, Muon matrices) {
        List<Entry> entries = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            boolean frozen = layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop;
            TrainingConfig config = layer.getConfig();
            for (Map.Entry<String, INDArray> param : layer.paramTable().entrySet()) {
                String name = param.getKey();
                String key = i + "_" + name;
                long length = param.getValue().length();
                long[] shape = param.getValue().shape();
                boolean matrix = shape.length == 2 && shape[0] > 1 && shape[1] > 1;
                // A flat 'f'-ordered [a, b] range is a row-major [b, a]: DL4J's [nIn, nOut] weight is torch's [out, in].
                boolean columnMajor = param.getValue().ordering() == 'f';
                long rows = matrix ? (columnMajor ? shape[1] : shape[0]) : 0;
                long cols = matrix ? (columnMajor ? shape[0] : shape[1]) : 0;
                // DL4J marks "gradients" that are really updates (BatchNorm's running statistics) by
                // not dividing them by the minibatch; the layers' own updaters are replaced by Lanestep.
                Kind kind = frozen ? Kind.FROZEN
                        : layer.updaterDivideByMinibatch(name) ? Kind.LANESTEP : Kind.RAW_UPDATE;
                Optimizer base = null;
                ISchedule l2 = null;
                if (kind == Kind.LANESTEP) {
                    refuseUnsupported(key, config);
                    base = matrices != null && matrix ? matrices : perLayer.apply(i);
                    if (base == null) {
                        throw new IllegalArgumentException("no Lanestep configuration for layer " + i
                                + "; the per-layer function must return one for every trainable layer");
                    }
                    l2 = l2(key, config.getRegularizationByParam(name), base);
                }
                entries.add(new Entry(key, offset, length, kind, base, l2, rows, cols));
                offset += length;
            }
        }
        if (offset != net.params().length()) {
            throw new IllegalStateException("the layers' parameters cover " + offset + " of the network's "
                    + net.params().length() + " flat parameters; this network's layout is not supported");
        }
        return new ParameterPlan(List.copyOf(entries));
    }

    private static void refuseUnsupported(String key, TrainingConfig config) {
        GradientNormalization normalization = config.getGradientNormalization();
        if (normalization != null && normalization != GradientNormalization.None) {
            throw new IllegalArgumentException("parameter " + key + ": gradient normalization " + normalization
                    + " is not supported by LanestepTrainer; remove it, or clip in the Lanestep step instead");
        }
    }

    private static ISchedule l2(String key, List<Regularization> regularizations, Optimizer base) {
        ISchedule l2 = null;
        for (Regularization r : regularizations == null ? List.<Regularization>of() : regularizations) {
            if (!(r instanceof L2Regularization l)) {
                throw new IllegalArgumentException("parameter " + key + ": " + r.getClass().getSimpleName()
                        + " is not supported by LanestepTrainer (L2 is); use l2(...) in the DL4J configuration or"
                        + " a Lanestep configuration with decoupled weight decay (AdamW)");
            }
            l2 = l.getL2();
        }
        if (l2 != null) {
            withL2(key, base, 0); // refuses, at build time, a configuration that cannot take DL4J's L2
        }
        return l2;
    }

    /** {@code base} with DL4J's L2 coefficient as its L2 weight decay, added to the gradient as DL4J does. */
    static Optimizer withL2(String key, Optimizer base, double l2) {
        return switch (base) {
            case Sgd s when s.weightDecay() == 0 -> new Sgd(s.lr(), s.momentum(), s.dampening(), l2, s.nesterov(),
                    s.maximize(), s.numerics());
            case Adam a when a.weightDecay() == 0 -> new Adam(a.lr(), a.beta1(), a.beta2(), a.eps(), l2, a.amsgrad(),
                    a.maximize(), a.numerics(), a.epsilonHat());
            default -> throw new IllegalArgumentException("parameter " + key + " has DL4J L2 regularization, which"
                    + " LanestepTrainer applies to Sgd and Adam configurations without their own weight decay; got "
                    + base + ": set L2 in one place");
        };
    }
}
