r"""Weight initialisation, always drawn from a passed ``np.random.Generator`` (never global state).

Glorot / Xavier (uniform), for tanh and sigmoid layers:
$$ W \sim \mathcal{U}\left(-\sqrt{\tfrac{6}{n_\text{in} + n_\text{out}}},\ \sqrt{\tfrac{6}{n_\text{in} + n_\text{out}}}\right) $$
He (normal), for ReLU layers:
$$ W \sim \mathcal{N}\left(0,\ \tfrac{2}{n_\text{in}}\right) $$
"""
import numpy as np


def glorot_uniform(shape, fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he_normal(shape, fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


INITS = {"glorot": glorot_uniform, "he": he_normal}


def init_weights(name, shape, fan_in, fan_out, rng):
    if name not in INITS:
        raise ValueError(f"unknown initialisation {name!r}; choose one of {sorted(INITS)}")
    return INITS[name](shape, fan_in, fan_out, rng)
