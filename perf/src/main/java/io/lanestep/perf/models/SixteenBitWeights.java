package io.lanestep.perf.models;

import io.lanestep.Adam;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.Rounding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Training with the weights stored in 16 bits: the model's parameters live in a Lanestep block of
 * the given formats, the engine steps that block with DL4J's float32 gradients, and the network
 * computes with the block's values widened to float32 before every forward pass, as a framework
 * holding bf16 weights would. Shows what each way of storing weights costs in test accuracy; not
 * a timing run (the copies in and out of DL4J dominate).
 */
final class SixteenBitWeights {
    private SixteenBitWeights() {
    }

    static Run train(FashionMnist data, List<DataSet> batches, Architecture model, String name,
                     Formats formats, double lr, int epochs) {
        MultiLayerNetwork net = model.dl4j(new NoOp());
        long n = net.numParams();
        Run run = new Run("DL4J", model.name(), n, name, 1);
        Adam adam = Adam.defaults().withLearningRate(lr);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(LaneWidth.preferred())) {
            MemorySegment params = arena.allocate(n * formats.params().bytes(), 64);
            float[] weights = net.params().dup().data().asFloat();
            for (long i = 0; i < n; i++) {
                formats.params().set(params, i, weights[(int) i]);
            }
            MemorySegment grads = arena.allocate(n * Float.BYTES, 64);
            List<Block> blocks = perTensor(net, weights, formats, adam, arena, params, grads);
            int steps = 0;
            double lossSum = 0;
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (DataSet batch : batches) {
                    for (long i = 0; i < n; i++) {
                        weights[(int) i] = formats.params().get(params, i);
                    }
                    net.setParams(org.nd4j.linalg.factory.Nd4j.create(weights, new long[] {1, n}));
                    net.setInput(batch.getFeatures());
                    net.setLabels(batch.getLabels());
                    net.computeGradientAndScore();
                    float[] g = net.getFlattenedGradients().dup().data().asFloat();
                    MemorySegment.copy(g, 0, grads, ValueLayout.JAVA_FLOAT, 0, g.length);
                    // DL4J's gradients are sums over the minibatch: the engine divides inside the step.
                    engine.step(List.of(new Group(adam, blocks)),
                            NonFinite.PROPAGATE, 1f / batch.getFeatures().size(0));
                    lossSum += net.score();
                    if (++steps % 20 == 0) {
                        run.loss.add(lossSum / 20);
                        lossSum = 0;
                    }
                }
                for (long i = 0; i < n; i++) {
                    weights[(int) i] = formats.params().get(params, i);
                }
                net.setParams(org.nd4j.linalg.factory.Nd4j.create(weights, new long[] {1, n}));
                run.accuracy.add(Dl4jRuns.accuracy(net, data));
            }
        }
        return run;
    }

    /**
     * One block per DL4J parameter tensor, in the order of the flattened parameters {@code flat},
     * each with its own state: bitsandbytes keeps a state per tensor, so its small-tensor rule
     * (under 4096 elements stays float32) holds per tensor, here the biases and the 2,570-weight
     * output layer.
     * Stochastic rounding takes a seed per tensor, so no two tensors share their random bits.
     */
    private static List<Block> perTensor(MultiLayerNetwork net, float[] flat, Formats formats, Adam adam,
                                         Arena arena, MemorySegment params, MemorySegment grads) {
        List<Block> blocks = new ArrayList<>();
        long at = 0;
        int k = 0;
        for (INDArray tensor : net.paramTable().values()) {
            long size = tensor.length();
            if (tensor.getFloat(0) != flat[(int) at]) {
                throw new IllegalStateException("DL4J's parameter tables are not in the order of its flattened"
                        + " parameters at element " + at);
            }
            Formats f = formats.rounding().stochastic() ? new Formats(formats.params(), formats.grads(),
                    formats.state(), formats.masterWeights(), Rounding.stochastic(formats.rounding().seed() + k))
                    : formats;
            long p = formats.params().bytes();
            blocks.add(new Block(adam.newState(size, arena, f), params.asSlice(at * p, size * p),
                    grads.asSlice(at * Float.BYTES, size * Float.BYTES)));
            at += size;
            k++;
        }
        if (at != flat.length) {
            throw new IllegalStateException("DL4J's parameter tables hold " + at + " of " + flat.length
                    + " parameters");
        }
        return blocks;
    }
}
