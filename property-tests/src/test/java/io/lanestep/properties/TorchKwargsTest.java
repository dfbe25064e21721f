package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.AdamW;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import io.lanestep.Sgd;
import io.lanestep.pytorch.TorchOptimizers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What torch 2.13 refuses is refused with torch's message (recorded from torch 2.13.0 itself), and
 * foreach, fused and the version pick the profile.
 */
class TorchKwargsTest {
    private static void refused(String name, Map<String, ?> kwargs, String torchMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchOptimizers.create(name, kwargs, "2.13.0"));
        assertTrue(e.getMessage().contains(torchMessage), name + " " + kwargs + ": " + e.getMessage());
    }

    @Test
    void aVersionThatIsNoTorchReleaseIsRefusedNamingTheArgument() {
        for (String version : new String[] {"99999999999.0", "3.0.0", "2", "v2.13", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TorchOptimizers.create("Adam", Map.of(), version));
            assertTrue(e.getMessage().startsWith("torch version must be a 1.x or 2.x release"), e.getMessage());
        }
    }

    @Test
    void whatTorchRefusesIsRefusedWithTorchsMessage() {
        refused("SGD", Map.of("lr", -1.0), "Invalid learning rate: -1.0");
        refused("SGD", Map.of("lr", 0.1, "momentum", -0.5), "Invalid momentum value: -0.5");
        refused("SGD", Map.of("lr", 0.1, "weight_decay", -1.0), "Invalid weight_decay value: -1.0");
        refused("SGD", Map.of("lr", 0.1, "nesterov", true), "Nesterov momentum requires a momentum and zero dampening");
        refused("Adam", Map.of("eps", -1.0), "Invalid epsilon value: -1.0");
        refused("Adam", Map.of("betas", List.of(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0");
        refused("Adam", Map.of("betas", List.of(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1");
        refused("Adam", Map.of("fused", true, "foreach", true), "`fused` and `foreach` cannot be `True` together.");
        refused("RMSprop", Map.of("fused", true), "RMSprop.__init__() got an unexpected keyword argument 'fused'");
        refused("RMSprop", Map.of("alpha", -0.1), "Invalid alpha value: -0.1");
        refused("Adagrad", Map.of("lr_decay", -1.0), "Invalid lr_decay value: -1.0");
        refused("Adagrad", Map.of("initial_accumulator_value", -1.0), "Invalid initial_accumulator_value value: -1.0");
        refused("Adadelta", Map.of("rho", 1.5), "Invalid rho value: 1.5");
        refused("ASGD", Map.of("lr", -1.0), "Invalid learning rate: -1.0");
        refused("Rprop", Map.of("etas", List.of(1.5, 1.2)), "Invalid eta values: 1.5, 1.2");
        refused("Adafactor", Map.of("d", 0.5), "Clipping threshold d should be >= 1 but is: 0.5");
        refused("Adafactor", Map.of("beta2_decay", 0.5), "beta2_decay should be <= 0 but is: 0.5");
        refused("NAdam", Map.of("momentum_decay", -1.0), "Invalid momentum_decay value: -1.0");
        refused("Adamax", Map.of("betas", List.of(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0");
        refused("Adam", Map.of("lr", 1e-5, "eps", -1e-5), "Invalid epsilon value: -1e-05");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new io.lanestep.Rmsprop(0.01, 0.99, 1e-8, 0, 0, false, false, Numerics.TORCH_2_FUSED));
        assertTrue(e.getMessage().contains("the fused ones are SGD, Adam, AdamW and Adagrad"), e.getMessage());
    }

    @Test
    void foreachFusedAndTheVersionPickTheProfile() {
        Optimizer single = TorchOptimizers.create("Adam", Map.of(), "2.13.0");
        Optimizer foreach = TorchOptimizers.create("Adam", Map.of("foreach", true), "2.13.0");
        Optimizer fused = TorchOptimizers.create("Adam", Map.of("fused", true, "decoupled_weight_decay", true), "2.13.0");
        Optimizer old = TorchOptimizers.create("Adam", Map.of());
        assertEquals("TORCH_2_SINGLE", single.toString().replaceAll(".*numerics=(\\w+).*", "$1"));
        assertEquals("TORCH_2_FOREACH", foreach.toString().replaceAll(".*numerics=(\\w+).*", "$1"));
        assertEquals(Numerics.TORCH_2_FUSED, ((AdamW) fused).numerics());
        assertEquals("TORCH_1_13", old.toString().replaceAll(".*numerics=(\\w+).*", "$1"));
        assertEquals(1e-3, ((Sgd) TorchOptimizers.create("SGD", Map.of(), "2.13.0")).lr(), "torch 2's default lr");
        assertThrows(IllegalArgumentException.class, () -> TorchOptimizers.create("SGD", Map.of()),
                "torch 1.13 needs an lr for SGD");
        assertThrows(IllegalArgumentException.class, () -> TorchOptimizers.create("Adam", Map.of("foreach", true)),
                "torch 1.13 profiles have no foreach path in Lanestep");
        assertThrows(IllegalArgumentException.class, () -> TorchOptimizers.create("Adam", Map.of(), "two"));
    }
}
