"""Benchmark: the whole graph at a chosen scale, as ``make run`` runs it; wall time, peak memory
and rows per stage and per asset, and the cost of a one-year rerun.

``python -m eq_assets.bench --scale paper`` (what ``make bench SCALE=paper`` calls):

1. writes the synthetic world for that scale into ``data/bench/<scale>/raw`` (once; timed and
   measured on its own: generation is not part of the graph's time);
2. runs ``python -m eq_assets.run`` on a fresh warehouse, sampling the resident memory of its
   whole process tree (the runner and its parallel year workers) every 0.2 s;
3. reads from the Dagster instance, per asset, the step time (summed over partitions), the rows
   written and the step's own peak memory (``peak_rss_mib``, :mod:`eq_assets.core.memory`);
4. changes one value of one year's customs file (the bench's own copy), reruns with
   ``--changed`` (only that year and the tables), reports its wall time and its ratio to the full
   run, and restores the file.

Prints the tables and writes ``bench.csv`` (stage rows) and ``bench.json`` (everything) in the
bench root. Timings are wall-clock on a shared machine: run it on an idle one.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from eq_assets import settings

STAGE_LINE = re.compile(r"^(reference tables|year \d{4}|panels and tables)\s+(\d+) assets\s+([\d,]+) rows\s+([\d.]+) s")


class TreeMemory:
    """Peak memory of a process and its descendants, sampled in a thread (RSS every 0.2 s, PSS
    every second): the summed PSS
    (proportional set size: a page shared by n processes counts 1/n in each, so processes forked
    from one parent, as the generator's year workers and the tables stage's steps are, are not
    counted twice) and, for reference, the summed RSS (which counts shared pages once per process)."""

    def __init__(self, pid: int, interval: float = 0.2):
        import psutil

        self.proc = psutil.Process(pid)
        self.interval, self.peak, self.peak_rss, self._stop = interval, 0, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    #: PSS is read every this many samples: reading it walks each process's page tables
    #: (/proc/<pid>/smaps_rollup), which costs CPU on GiB-sized processes; RSS is cheap.
    PSS_EVERY = 5

    def _run(self) -> None:
        import psutil

        k = 0
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                pss = rss = 0
                for p in procs:
                    try:
                        if k % self.PSS_EVERY == 0:
                            m = p.memory_full_info()
                            pss += getattr(m, "pss", m.rss)
                        else:
                            m = p.memory_info()
                        rss += m.rss
                    except psutil.Error:
                        pass
                self.peak_rss = max(self.peak_rss, rss)
                if k % self.PSS_EVERY == 0:
                    self.peak = max(self.peak, pss)
            except psutil.Error:
                return
            k += 1
            time.sleep(self.interval)

    def stop(self) -> float:
        """Stop sampling; the peak summed PSS in GiB (``peak_rss`` keeps the RSS sum, bytes)."""
        self._stop.set()
        self.thread.join(timeout=2)
        return self.peak / 1024**3


def run_measured(cmd: list[str], env: dict, log_path: Path) -> dict:
    """Run ``cmd``; wall time, peak tree RSS (GiB), largest single process (GiB), exit code, output."""
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        mem = TreeMemory(proc.pid)
        lines = []
        for line in proc.stdout:
            log.write(line)
            lines.append(line.rstrip("\n"))
            print("    " + line.rstrip("\n"), flush=True)
        _, status, usage = os.wait4(proc.pid, 0)
    peak = mem.stop()
    return {"wall": time.perf_counter() - t0, "tree_peak_gib": peak, "tree_peak_rss_gib": mem.peak_rss / 1024**3,
            "max_process_gib": usage.ru_maxrss / 1024**2, "code": os.waitstatus_to_exitcode(status), "lines": lines}


def completed(result: dict) -> bool:
    """Every step of the run ran (exit 0, or exit 1 only because asset checks failed, e.g. truths
    at paper scale): the graph is complete, so a one-year rerun can be measured against it."""
    lines = result["lines"]
    return result["code"] == 0 or (result["code"] == 1 and not any(ln.startswith("stopped:") for ln in lines)
                                   and any("asset check(s) failed" in ln for ln in lines))


def stages(lines: list[str]) -> list[dict]:
    out = []
    for line in lines:
        m = STAGE_LINE.match(line)
        if m:
            out.append({"stage": m.group(1), "assets": int(m.group(2)), "rows": int(m.group(3).replace(",", "")),
                        "wall": float(m.group(4))})
    return out


def per_asset(dagster_home: Path, since: float) -> list[dict]:
    """Per asset: summed step seconds, rows, max step peak memory, partitions (runs after ``since``)."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg
    from dagster import DagsterEventType

    inst = dg.DagsterInstance.get()
    acc: dict[str, dict] = {}
    for run in inst.get_runs(filters=dg.RunsFilter(created_after=_dt(since))):
        starts = {}
        for rec in inst.all_logs(run.run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS,
                                                     DagsterEventType.ASSET_MATERIALIZATION}):
            ev = rec.dagster_event
            key = ev.step_key
            if ev.event_type == DagsterEventType.STEP_START:
                starts[key] = rec.timestamp
            elif ev.event_type == DagsterEventType.STEP_SUCCESS and key in starts:
                a = acc.setdefault(key, {"asset": key, "seconds": 0.0, "rows": 0, "peak_mib": 0.0, "partitions": 0})
                a["seconds"] += rec.timestamp - starts[key]
                a["partitions"] += 1
            elif ev.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                md = ev.event_specific_data.materialization.metadata
                a = acc.setdefault(key, {"asset": key, "seconds": 0.0, "rows": 0, "peak_mib": 0.0, "partitions": 0})
                if "dagster/row_count" in md:
                    a["rows"] += int(md["dagster/row_count"].value)
                if "peak_rss_mib" in md:
                    a["peak_mib"] = max(a["peak_mib"], float(md["peak_rss_mib"].value))
    return sorted(acc.values(), key=lambda a: -a["seconds"])


def _dt(ts: float):
    import datetime

    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)


def change_one_value(raw: Path, year: int) -> tuple[Path, Path]:
    """Add one cent to the value of the last row of ``customs_<year>.csv``; returns (file, backup)."""
    path = raw / "customs" / f"customs_{year}.csv"
    backup = path.with_name(path.name + ".bench-original")
    shutil.copy2(path, backup)
    data = path.read_bytes().rstrip(b"\n")
    head, _, last = data.rpartition(b"\n")
    fields = last.split(b",")
    fields[-1] = f"{float(fields[-1]) + 0.01:.2f}".encode()
    path.write_bytes(head + b"\n" + b",".join(fields) + b"\n")
    return path, backup


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="small", choices=["tiny", "small", "paper"])
    ap.add_argument("--seed", type=int, default=20240801)
    ap.add_argument("--root", default=None, help="bench data root (default data/bench/<scale>)")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="year partitions in parallel (runner default)")
    ap.add_argument("--rerun-year", type=int, default=2009, help="the year whose raw file the rerun changes")
    ap.add_argument("--no-rerun", action="store_true", help="skip the one-year rerun")
    args = ap.parse_args(argv)

    root = Path(args.root or settings.data_dir() / "bench" / args.scale).resolve()
    raw, home = root / "raw", root / "dagster_home"
    env = {**os.environ, "EQ_DATA_DIR": str(root), "DAGSTER_HOME": str(home)}
    for k in ("EQ_RAW_DIR", "EQ_WAREHOUSE", "EQ_OUTPUT_DIR"):
        env.pop(k, None)
    root.mkdir(parents=True, exist_ok=True)
    report: dict = {"scale": args.scale, "seed": args.seed, "commit": _commit(), "cpus": os.cpu_count()}
    print(f"bench {args.scale} in {root} (commit {report['commit']}, {os.cpu_count()} cores)", flush=True)
    if not raw.exists() or not any(raw.iterdir()):
        print("  synthetic world:", flush=True)
        g = run_measured([sys.executable, "-m", "eq_assets.synth", "--scale", args.scale, "--seed", str(args.seed),
                          "--out", str(raw)], env, root / "synth.log")
        report["generation"] = {k: v for k, v in g.items() if k != "lines"}
        print(f"  generation: {g['wall']:.1f} s, peak {g['tree_peak_gib']:.2f} GiB (PSS; RSS summed "
              f"{g['tree_peak_rss_gib']:.2f} GiB)", flush=True)
        if g["code"]:
            return g["code"]
    for d in ("warehouse", "dagster_home", "outputs", "logs"):
        shutil.rmtree(root / d, ignore_errors=True)
    home.mkdir(parents=True)
    cmd = [sys.executable, "-m", "eq_assets.run"] + (["-j", str(args.jobs)] if args.jobs else [])
    since = time.time()
    print("  full run:", flush=True)
    full = run_measured(cmd, env, root / "run.log")
    report["full"] = {k: v for k, v in full.items() if k != "lines"} | {"stages": stages(full["lines"])}
    report["assets"] = per_asset(home, since)
    if full["code"]:
        print(f"run failed (exit {full['code']})", file=sys.stderr)
    if not args.no_rerun and completed(full):
        path, backup = change_one_value(raw, args.rerun_year)
        try:
            print(f"  rerun after changing one value of {path.name}:", flush=True)
            re_run = run_measured(cmd + ["--changed"], env, root / "rerun.log")
        finally:
            os.replace(backup, path)
        report["rerun"] = {k: v for k, v in re_run.items() if k != "lines"} | {
            "stages": stages(re_run["lines"]), "year": args.rerun_year, "ratio": re_run["wall"] / full["wall"]}
    _print(report)
    (root / "bench.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    with open(root / "bench.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["stage", "wall_seconds", "peak_rss_gib", "rows"])
        if "generation" in report:
            w.writerow(["synthetic_world", f"{report['generation']['wall']:.2f}", f"{report['generation']['tree_peak_gib']:.3f}", ""])
        for s in report["full"]["stages"]:
            w.writerow([s["stage"], f"{s['wall']:.2f}", "", s["rows"]])
        w.writerow(["graph_total", f"{report['full']['wall']:.2f}", f"{report['full']['tree_peak_gib']:.3f}", ""])
        for a in report["assets"]:
            w.writerow([f"asset:{a['asset']}", f"{a['seconds']:.2f}", f"{a['peak_mib'] / 1024:.3f}", a["rows"]])
        if "rerun" in report:
            w.writerow([f"rerun_one_year_{args.rerun_year}", f"{report['rerun']['wall']:.2f}",
                        f"{report['rerun']['tree_peak_gib']:.3f}", ""])
    return full["code"]


def _print(r: dict) -> None:
    print(f"\n{'stage':<28}{'wall s':>10}{'peak GiB':>10}{'rows':>14}   (peak: summed PSS of the process tree)")
    if "generation" in r:
        g = r["generation"]
        print(f"{'synthetic world (not graph)':<28}{g['wall']:>10.1f}{g['tree_peak_gib']:>10.2f}{'':>14}")
    for s in r["full"]["stages"]:
        print(f"{s['stage']:<28}{s['wall']:>10.1f}{'':>10}{s['rows']:>14,}")
    f = r["full"]
    print(f"{'graph total':<28}{f['wall']:>10.1f}{f['tree_peak_gib']:>10.2f}{'':>14}"
          f"   (summed RSS {f.get('tree_peak_rss_gib', float('nan')):.2f} GiB; largest process {f['max_process_gib']:.2f} GiB)")
    print(f"\n{'asset (steps summed)':<28}{'step s':>10}{'peak GiB':>10}{'rows':>14}")
    for a in r["assets"]:
        print(f"{a['asset']:<28}{a['seconds']:>10.1f}{a['peak_mib'] / 1024:>10.2f}{a['rows']:>14,}")
    if "rerun" in r:
        x = r["rerun"]
        print(f"\none-year rerun ({x['year']} changed, --changed): {x['wall']:.1f} s = {100 * x['ratio']:.1f}% of the "
              f"full run; peak {x['tree_peak_gib']:.2f} GiB")


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(settings.REPO_ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
