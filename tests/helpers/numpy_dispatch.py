"""The numpy CPU features to disable so that numpy runs its baseline kernels.

numpy compiles some loops (``exp``, ``tanh``, ``sum``…) several times, for several SIMD
levels, and picks the best one the CPU has when it is imported; the results may differ in the
last bits. ``NPY_DISABLE_CPU_FEATURES`` turns the extra levels off, but refuses to disable
baseline features (those every build assumes), so the list has to be asked of numpy itself.
``make test`` runs the docs and course tests a second time under this list, so that a printed
number depending on the machine's kernels fails here rather than on another machine.

Usage:
    python tests/helpers/numpy_dispatch.py    # prints e.g. "X86_V3 X86_V4 AVX512_ICL", or nothing

Run it with ``NPY_DISABLE_CPU_FEATURES`` unset: numpy reports disabled features as missing.
"""

from __future__ import annotations

from types import ModuleType


def _numpy_cpu_module() -> ModuleType | None:
    try:
        from numpy._core import _multiarray_umath  # numpy 2
    except ImportError:
        try:
            from numpy.core import _multiarray_umath  # numpy 1
        except ImportError:
            return None
    return _multiarray_umath


def features_to_disable() -> list[str]:
    """The dispatch targets this CPU has beyond numpy's baseline (empty without numpy).

    Example:
        >>> module = _numpy_cpu_module()
        >>> baseline = set(module.__cpu_baseline__) if module else set()
        >>> all(feature not in baseline for feature in features_to_disable())
        True
    """
    module = _numpy_cpu_module()
    if module is None:
        return []
    baseline = set(module.__cpu_baseline__)
    available = module.__cpu_features__
    return [
        feature
        for feature in module.__cpu_dispatch__
        if available.get(feature) and feature not in baseline
    ]


if __name__ == "__main__":
    print(" ".join(features_to_disable()))
