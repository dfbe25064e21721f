package io.lanestep.pytorch;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The constructor checks of {@code torch.optim}, with torch's messages, made before a configuration
 * is built: a port sees the error its PyTorch code would have raised.
 */
final class TorchRefusals {
    private TorchRefusals() {
    }

    static void check(String className, Map<String, ?> kwargs) {
        if (kwargs == null) {
            return;
        }
        atLeastZero(kwargs, "lr", "Invalid learning rate: ");
        if (!className.equals("Adafactor")) {
            atLeastZero(kwargs, "eps", "Invalid epsilon value: ");
        }
        atLeastZero(kwargs, "weight_decay", "Invalid weight_decay value: ");
        atLeastZero(kwargs, "momentum", "Invalid momentum value: ");
        atLeastZero(kwargs, "lr_decay", "Invalid lr_decay value: ");
        atLeastZero(kwargs, "initial_accumulator_value", "Invalid initial_accumulator_value value: ");
        atLeastZero(kwargs, "momentum_decay", "Invalid momentum_decay value: ");
        if (className.equals("RMSprop")) {
            atLeastZero(kwargs, "alpha", "Invalid alpha value: ");
        }
        if (kwargs.get("rho") instanceof Number rho && !(rho.doubleValue() >= 0 && rho.doubleValue() <= 1)) {
            throw new IllegalArgumentException("Invalid rho value: " + python(rho.doubleValue()));
        }
        if (kwargs.get("betas") instanceof List<?> betas && betas.size() == 2) {
            for (int i = 0; i < 2; i++) {
                if (betas.get(i) instanceof Number b && !(b.doubleValue() >= 0 && b.doubleValue() < 1)) {
                    throw new IllegalArgumentException("Invalid beta parameter at index " + i + ": "
                            + python(b.doubleValue()));
                }
            }
        }
        if (className.equals("Rprop") && kwargs.get("etas") instanceof List<?> etas && etas.size() == 2
                && etas.get(0) instanceof Number minus && etas.get(1) instanceof Number plus
                && !(0 < minus.doubleValue() && minus.doubleValue() < 1 && 1 < plus.doubleValue())) {
            throw new IllegalArgumentException("Invalid eta values: " + python(minus.doubleValue()) + ", "
                    + python(plus.doubleValue()));
        }
        if (className.equals("SGD") && Boolean.TRUE.equals(kwargs.get("nesterov"))
                && (!(kwargs.get("momentum") instanceof Number m) || m.doubleValue() <= 0
                || kwargs.get("dampening") instanceof Number d && d.doubleValue() != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
    }

    private static void atLeastZero(Map<String, ?> kwargs, String key, String message) {
        if (kwargs.get(key) instanceof Number n && !(n.doubleValue() >= 0)) {
            throw new IllegalArgumentException(message + python(n.doubleValue()));
        }
    }

    /** Python's {@code repr} of a float: shortest digits, exponent form below 1e-4 and from 1e16. */
    static String python(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = d.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (x < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
