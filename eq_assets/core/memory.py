"""Peak resident memory of a step (Linux): read and reset the process's high-water mark.

Steps of one run share a process, so the process's lifetime peak says nothing about one step.
Linux keeps a resettable high-water mark (``VmHWM`` in ``/proc/self/status``; writing ``5`` to
``/proc/self/clear_refs`` resets it): :func:`step_peak_mib` reads it and resets it, so the value
read at the end of each step is that step's peak. Elsewhere (no /proc) it returns None.
"""

from __future__ import annotations

from pathlib import Path


def step_peak_mib(reset: bool = True) -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    peak = None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024  # kB -> MiB
            break
    if reset:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
    return peak
