"""Side-by-side training speed: tinynet vs scikit-learn MLPClassifier vs PyTorch CPU.

Run from the repository root::

    .venv/bin/python benchmarks/compare.py            # full run
    .venv/bin/python benchmarks/compare.py --quick    # smoke run, a few seconds
    .venv/bin/python benchmarks/compare.py --cases digits,xor

Every library trains the same network on the same data with the same optimiser settings.
One repetition = a fresh model trained for a few epochs; the reported number is the median
over repetitions of (training wall time / epochs). Each row runs its warm-up and all its
repetitions back to back (not interleaved with other libraries, whose idle spinning thread
pools would otherwise slow it down).

The "NumPy @ only" row (the matmul floor) times exactly the matrix products that one tinynet
epoch performs, with the same shapes and dtype, and nothing else: no activations, losses,
optimiser updates, indexing or Python bookkeeping. "share" = floor / tinynet s/epoch.
See ``benchmarks/README.md`` for the definition of every column.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CASES = ("digits", "synthetic", "xor")
PLAIN = "plain NumPy MLP (reference, no checks)"


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


@dataclass
class Trained:
    """Outcome of one training run."""

    seconds: float
    epochs: int
    accuracy: Callable[[], float] | None
    dtype: str  # dtype the library actually computed in


@dataclass
class Runner:
    """One row of a table: something that can be trained for ``epochs`` and timed."""

    name: str
    dtype: str  # requested dtype
    train: Callable[[int], Trained]
    floor_of: str | None = None  # for floor rows: name of the tinynet row it belongs to
    times: list[float] = field(default_factory=list)
    effective_dtype: str | None = None
    accuracy: float | None = None
    error: str | None = None
    foreign_cpu: float | None = None  # cores used by other processes during the repetitions

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _fmt_seconds(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 0.01:
        return f"{value:.4f}".rstrip("0").rstrip(".") if value < 1 else f"{value:.3f}"
    return f"{value:.3g}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join([line, sep, *body])


def _short_error(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".replace("\n", " ").replace("|", "/")
    return text if len(text) <= 160 else text[:157] + "..."


BUSY_THRESHOLD = 0.15  # CPU cores used by other processes above which a row gets a warning


def _cpu_counters() -> tuple[float, int, int] | None:
    """``(wall, busy jiffies of the whole machine, jiffies of this process)`` on Linux."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
        own = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        # after the ")" of the command name: field 14 (utime) is index 11, 15 (stime) 12
        return (
            time.perf_counter(),
            user + nice + system + irq + softirq + steal,
            int(own[11]) + int(own[12]),
        )
    except (OSError, ValueError, IndexError):
        return None


def _foreign_cores(before, after) -> float | None:
    """Average number of cores busy with other processes between two ``_cpu_counters``."""
    if before is None or after is None or after[0] - before[0] < 0.05:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    foreign = (after[1] - before[1]) - (after[2] - before[2])
    return max(0.0, foreign / ticks / (after[0] - before[0]))


def _import_tinynet():
    try:
        import tinynet
    except ImportError:  # not installed into the venv: use the checkout next to benchmarks/
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import tinynet
    return tinynet


def _import_torch():
    try:
        import torch
    except Exception as error:  # ImportError, or a broken binary raising OSError
        return None, _short_error(error)
    return torch, None


# --------------------------------------------------------------------------------------
# Machine information
# --------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_state(package_dir: Path) -> str:
    """`` (git abc1234, tinynet/ modified)`` or empty if git is unavailable."""
    try:
        run = {"cwd": package_dir, "capture_output": True, "text": True, "timeout": 10}
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **run, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], **run, check=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    state = "with uncommitted changes" if dirty.stdout.strip() else "clean"
    return f" (git {head.stdout.strip()}, {package_dir.name}/ {state})"


def machine_info(torch, torch_error: str | None) -> str:
    import sklearn

    lines = ["## Machine", ""]
    lines.append(f"- CPU: {_cpu_model()}")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    lines.append(f"- logical CPUs: {os.cpu_count()} (usable by this process: {usable})")
    lines.append(f"- platform: {platform.platform()}, Python {platform.python_version()}")
    lines.append(f"- numpy {np.__version__}")
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        config = blas.get("openblas configuration", "")
        lines.append(
            f"  - BLAS (build): {blas.get('name')} {blas.get('version')}"
            + (f" ({config.strip()})" if config else "")
        )
    except Exception as error:  # older numpy without mode="dicts"
        lines.append(f"  - BLAS (build): unavailable ({_short_error(error)})")
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            lines.append(
                f"  - thread pool: {pool.get('internal_api')} {pool.get('version')}, "
                f"{pool.get('num_threads')} threads, arch {pool.get('architecture', '?')}, "
                f"{Path(pool.get('filepath', '')).name}"
            )
    except ImportError:
        lines.append("  - thread pools: threadpoolctl not installed")
    lines.append(f"- scikit-learn {sklearn.__version__}")
    if torch is None:
        lines.append(f"- torch: not available ({torch_error})")
    else:
        lines.append(
            f"- torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}"
        )
    tn = _import_tinynet()
    lines.append(
        f"- tinynet {getattr(tn, '__version__', '?')} from {Path(tn.__file__).parent}"
        f"{_git_state(Path(tn.__file__).parent)}"
    )
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        lines.append(f"- load average at start (1, 5, 15 min): {load}")
    except OSError:
        pass
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# tinynet
# --------------------------------------------------------------------------------------


def make_tinynet(sizes, dtype, **kwargs):
    """A tinynet network of the given dtype (weights from seed 0)."""
    return _import_tinynet().NeuralNetwork(sizes, rng=0, dtype=dtype, **kwargs)


def tinynet_classifier(sizes, X, y, X_test, y_test, *, batch, lr, dtype):
    tn = _import_tinynet()

    def train(epochs: int) -> Trained:
        net = make_tinynet(sizes, dtype, activation="relu", output_activation="identity", init="he")
        start = time.perf_counter()
        tn.fit(
            net,
            X,
            y,
            epochs=epochs,
            loss="softmax_cross_entropy",
            optimizer=tn.Adam(learning_rate=lr),
            batch_size=batch,
            rng=np.random.default_rng(0),
            train_accuracy=False,  # the peers do not evaluate the training set every epoch
        )
        seconds = time.perf_counter() - start
        out_dtype = str(net.forward(X[:2]).dtype)
        return Trained(
            seconds, epochs, lambda: tn.accuracy(y_test, tn.predict(net, X_test)), out_dtype
        )

    return train


def tinynet_xor(batch_size, lr):
    tn = _import_tinynet()
    X, Y = tn.xor()
    labels = Y[:, 0].astype(np.int64)

    def train(epochs: int) -> Trained:
        net = make_tinynet([2, 4, 1], np.float64, weight_scale=1.0)
        start = time.perf_counter()
        tn.fit(
            net,
            X,
            Y,
            epochs=epochs,
            loss="mse",
            optimizer="sgd",
            learning_rate=lr,
            batch_size=batch_size,
            rng=np.random.default_rng(0),
        )
        seconds = time.perf_counter() - start
        out_dtype = str(net.forward(X).dtype)
        return Trained(seconds, epochs, lambda: tn.accuracy(labels, tn.predict(net, X)), out_dtype)

    return train


# --------------------------------------------------------------------------------------
# Plain NumPy reference: the "plain vectorised NumPy MLP", with no checks at all
# --------------------------------------------------------------------------------------


def plain_numpy_classifier(sizes, X, y, X_test, y_test, *, batch, lr, dtype):
    """A minimal vectorised NumPy MLP (ReLU, softmax cross-entropy, Adam), for reference.

    What a careful NumPy programmer writes without a library: no input checks, no objects,
    gradients written into preallocated arrays (``out=``), Adam in place with its bias
    corrections folded into two scalars, one permutation per epoch. It starts from
    tinynet's initial weights (same seed) and computes the loss value of every batch, as
    tinynet, scikit-learn and torch do. It is the ceiling a pure-NumPy MLP reaches on this
    machine, to set the targets against; it is not part of tinynet.
    """
    b1, b2, eps = 0.9, 0.999, 1e-8
    n_layers = len(sizes) - 1

    def train(epochs: int) -> Trained:
        start_net = make_tinynet(
            sizes, dtype, activation="relu", output_activation="identity", init="he"
        )
        Ws = [layer.W.copy() for layer in start_net.layers]
        bs = [layer.b.copy() for layer in start_net.layers]
        params = Ws + bs
        grads = [np.empty_like(p) for p in params]
        ms, vs, works = ([np.zeros_like(p) for p in params] for _ in range(3))
        rng, n, t, loss_sum = np.random.default_rng(0), len(X), 0, 0.0
        start = time.perf_counter()
        for _ in range(epochs):
            order = rng.permutation(n)
            X_epoch, y_epoch = X[order], y[order]
            for first in range(0, n, batch):
                xb, yb = X_epoch[first : first + batch], y_epoch[first : first + batch]
                rows = np.arange(len(xb))
                acts = [xb]
                for i in range(n_layers):
                    z = acts[-1] @ Ws[i]
                    z += bs[i]
                    if i < n_layers - 1:
                        np.maximum(z, 0, out=z)
                    acts.append(z)
                z = acts[-1]
                z -= z.max(axis=1, keepdims=True)
                picked = z[rows, yb].copy()
                np.exp(z, out=z)
                total = z.sum(axis=1, keepdims=True)
                loss_sum += float(np.log(total).sum() - picked.sum())
                z /= total * len(xb)
                z[rows, yb] -= 1 / len(xb)
                delta = z
                for i in range(n_layers - 1, -1, -1):
                    np.matmul(acts[i].T, delta, out=grads[i])
                    np.sum(delta, axis=0, out=grads[n_layers + i])
                    if i > 0:
                        delta = delta @ Ws[i].T
                        delta *= acts[i] > 0
                t += 1
                root = math.sqrt(1 - b2**t)
                rate, eps_t = lr * root / (1 - b1**t), eps * root
                for p, g, m, v, w in zip(params, grads, ms, vs, works, strict=True):
                    m *= b1
                    m += np.multiply(g, 1 - b1, out=w)
                    v *= b2
                    np.multiply(g, g, out=w)
                    w *= 1 - b2
                    v += w
                    np.sqrt(v, out=w)
                    w += eps_t
                    np.divide(m, w, out=w)
                    w *= rate
                    p -= w
        seconds = time.perf_counter() - start

        def accuracy() -> float:
            a = X_test
            for i in range(n_layers):
                a = a @ Ws[i] + bs[i]
                if i < n_layers - 1:
                    a = np.maximum(a, 0)
            return float(np.mean(a.argmax(axis=1) == y_test))

        return Trained(seconds, epochs, accuracy, str(Ws[0].dtype))

    return train


# --------------------------------------------------------------------------------------
# Matmul floor
# --------------------------------------------------------------------------------------


def matmul_floor(sizes, n_samples, batch, dtype):
    """Time only the ``@`` products of one tinynet epoch (same shapes, order and dtype).

    Per batch of ``b`` rows, for layers ``l = 1..L`` with ``W_l`` of shape
    ``(n_{l-1}, n_l)``: forward ``A_{l-1} @ W_l``; backward ``A_{l-1}.T @ D_l`` (dW) and
    ``D_l @ W_l.T`` (gradient for the layer below, so not for ``l = 1``: ``fit`` skips the
    gradient with respect to the data).
    """
    rng = np.random.default_rng(0)
    size = n_samples if batch is None else batch
    weights = [
        rng.standard_normal((a, b)).astype(dtype)
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]

    def operands(rows: int):
        acts = [rng.standard_normal((rows, n)).astype(dtype) for n in sizes[:-1]]
        deltas = [rng.standard_normal((rows, n)).astype(dtype) for n in sizes[1:]]
        return acts, deltas

    full, rest = divmod(n_samples, size)
    groups = [(full, operands(size))] + ([(1, operands(rest))] if rest else [])

    def one_batch(acts, deltas):
        for a, w in zip(acts, weights, strict=True):
            a @ w
        for layer in range(len(weights) - 1, -1, -1):
            acts[layer].T @ deltas[layer]
            if layer > 0:
                deltas[layer] @ weights[layer].T

    def train(epochs: int) -> Trained:
        start = time.perf_counter()
        for _ in range(epochs):
            for count, (acts, deltas) in groups:
                for _ in range(count):
                    one_batch(acts, deltas)
        return Trained(time.perf_counter() - start, epochs, None, np.dtype(dtype).name)

    return train


# --------------------------------------------------------------------------------------
# scikit-learn and torch
# --------------------------------------------------------------------------------------


def sklearn_classifier(sizes, X, y, X_test, y_test, *, batch, lr):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def train(epochs: int) -> Trained:
        clf = MLPClassifier(
            hidden_layer_sizes=tuple(sizes[1:-1]),
            activation="relu",
            solver="adam",
            alpha=0.0,
            batch_size=batch,
            learning_rate_init=lr,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            shuffle=True,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            clf.fit(X, y)
            seconds = time.perf_counter() - start
        return Trained(
            seconds, clf.n_iter_, lambda: float(clf.score(X_test, y_test)), str(clf.coefs_[0].dtype)
        )

    return train


def torch_classifier(torch, sizes, X, y, X_test, y_test, *, batch, lr, dtype, fused=False):
    nn = torch.nn
    X_t = torch.from_numpy(np.ascontiguousarray(X, dtype=dtype))
    y_t = torch.from_numpy(np.asarray(y, dtype=np.int64))
    X_test_t = torch.from_numpy(np.ascontiguousarray(X_test, dtype=dtype))
    t_dtype = X_t.dtype

    def train(epochs: int) -> Trained:
        torch.manual_seed(0)
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(nn.Linear(a, b, dtype=t_dtype))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        extra = {"fused": True} if fused else {}
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, **extra)
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(0)
        n = len(X_t)
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(n, generator=generator)
            for first in range(0, n, batch):
                index = order[first : first + batch]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(X_t[index]), y_t[index])
                loss.backward()
                optimizer.step()
        seconds = time.perf_counter() - start

        def accuracy() -> float:
            with torch.no_grad():
                predicted = model(X_test_t).argmax(dim=1).numpy()
            return float(np.mean(predicted == y_test))

        return Trained(seconds, epochs, accuracy, str(t_dtype).removeprefix("torch."))

    return train


# --------------------------------------------------------------------------------------
# Running and reporting
# --------------------------------------------------------------------------------------


def run_all(runners: list[Runner], repeats: int, epochs: int, acc_epochs: int | None) -> None:
    """For each runner in turn: warm up (1 epoch), time ``repeats`` runs, measure accuracy.

    Runs are blocked per runner rather than interleaved: on a small machine the idle
    spin-waiting threads of one library's pool (OpenBLAS pthreads, torch's OpenMP) slow the
    next library down for a while, which biased interleaved timings.
    """
    for runner in runners:
        try:
            warm = runner.train(1)
        except Exception as error:
            runner.error = _short_error(error)
            print(f"  ! {runner.name} ({runner.dtype}) failed: {runner.error}", flush=True)
            continue
        runner.effective_dtype = warm.dtype
        before = _cpu_counters()
        for _ in range(repeats):
            result = runner.train(epochs)
            runner.times.append(result.seconds / result.epochs)
        runner.foreign_cpu = _foreign_cores(before, _cpu_counters())
        if result.accuracy is not None:
            if acc_epochs not in (None, epochs):
                result = runner.train(acc_epochs)
            runner.accuracy = result.accuracy()
        print(f"  {runner.name}: {_fmt_seconds(runner.median)} s/epoch", flush=True)


def report(
    title: str,
    runners: list[Runner],
    *,
    ratio_header: str,
    ratio_base: Callable[[Runner], Runner | None],
    accuracy_header: str,
) -> str:
    headers = ["library", "dtype", "s/epoch (median)", "min–max", ratio_header, accuracy_header]
    rows = []
    for r in runners:
        dtype = r.dtype
        if r.effective_dtype and r.effective_dtype != r.dtype:
            dtype = f"{r.dtype} → computes in {r.effective_dtype}"
        if r.error:
            rows.append([r.name, dtype, "failed", "—", "—", r.error])
            continue
        base = ratio_base(r)
        ratio = f"{base.median / r.median:.2f}" if base and base.times else "—"
        spread = f"{_fmt_seconds(min(r.times))}–{_fmt_seconds(max(r.times))}"
        acc = "—" if r.accuracy is None else f"{100 * r.accuracy:.2f}%"
        rows.append([r.name, dtype, _fmt_seconds(r.median), spread, ratio, acc])
    lines = [f"### {title}", "", _table(headers, rows), ""]
    by_name = {r.name: r for r in runners}
    for r in runners:
        owner = by_name.get(r.floor_of) if r.floor_of else None
        if owner and owner.times and r.times:
            lines.append(
                f"- matmul share of `{owner.name}`: floor {_fmt_seconds(r.median)} s / "
                f"{_fmt_seconds(owner.median)} s = {100 * r.median / owner.median:.1f}%"
            )
    plain = by_name.get(PLAIN)
    peers = [r for r in runners if r.times and not r.floor_of and r.name not in (PLAIN, "tinynet")]
    if plain and plain.times and peers:
        against = ", ".join(f"{r.name} {plain.median / r.median:.2f}" for r in peers)
        lines.append(f"- the plain NumPy reference against the peers (reference / row): {against}")
    lines += [
        f"- WARNING: {r.name}: other processes used {r.foreign_cpu:.2f} CPU cores on average "
        "during its repetitions; its timing is probably inflated"
        for r in runners
        if r.foreign_cpu is not None and r.foreign_cpu > BUSY_THRESHOLD
    ]
    return "\n".join(lines)


def tinynet_rows(sizes, X, y, X_te, y_te, *, batch, lr, dtype):
    """The tinynet row and its matmul-floor row for one dtype."""
    name = np.dtype(dtype).name
    main = Runner(
        "tinynet",
        name,
        tinynet_classifier(sizes, X, y, X_te, y_te, batch=batch, lr=lr, dtype=dtype),
    )
    floor = Runner(
        "NumPy @ only (floor)",
        name,
        matmul_floor(sizes, len(X), batch, dtype),
        floor_of=main.name,
    )
    plain = Runner(
        PLAIN,
        name,
        plain_numpy_classifier(sizes, X, y, X_te, y_te, batch=batch, lr=lr, dtype=dtype),
    )
    return [main, floor, plain]


def classification_case(
    title,
    torch,
    sizes,
    X,
    y,
    X_te,
    y_te,
    *,
    batch,
    lr,
    dtypes,
    repeats,
    epochs,
    acc_epochs,
    fused_variant=False,
) -> str:
    sections = []
    for dtype in dtypes:
        name = np.dtype(dtype).name
        Xd, X_ted = X.astype(dtype), X_te.astype(dtype)
        runners = tinynet_rows(sizes, Xd, y, X_ted, y_te, batch=batch, lr=lr, dtype=dtype)
        runners.append(
            Runner(
                "scikit-learn MLPClassifier",
                name,
                sklearn_classifier(sizes, Xd, y, X_ted, y_te, batch=batch, lr=lr),
            )
        )
        torch_note = None
        if torch is not None:
            runners.append(
                Runner(
                    "torch (Adam default)",
                    name,
                    torch_classifier(
                        torch, sizes, Xd, y, X_ted, y_te, batch=batch, lr=lr, dtype=dtype
                    ),
                )
            )
            if fused_variant:
                runners.append(
                    Runner(
                        "torch (Adam fused=True)",
                        name,
                        torch_classifier(
                            torch,
                            sizes,
                            Xd,
                            y,
                            X_ted,
                            y_te,
                            batch=batch,
                            lr=lr,
                            dtype=dtype,
                            fused=True,
                        ),
                    )
                )
        else:
            torch_note = "- torch rows skipped: `import torch` failed"
        print(f"[{title}, {name}] {len(runners)} rows", flush=True)
        run_all(runners, repeats, epochs, acc_epochs)
        by_name = {r.name: r for r in runners}
        main = by_name["tinynet"]

        def base(r: Runner, by_name=by_name, main=main) -> Runner | None:
            if r.floor_of:
                return by_name.get(r.floor_of)
            return main

        n_acc = acc_epochs or epochs
        acc_label = f"test accuracy ({n_acc} epoch{'s' if n_acc > 1 else ''})"
        text = report(
            f"{title} — {name}",
            runners,
            ratio_header="tinynet ratio (tinynet / row)",
            ratio_base=base,
            accuracy_header=acc_label,
        )
        sections.append(text + ("\n" + torch_note if torch_note else ""))
    products = (
        "forward X@W; backward X.T@dZ and dZ@W.T for every layer except the first "
        "(tinynet, like the peers, skips the gradient with respect to the data)"
    )
    header = (
        f"## Case: {title}\n\nnetwork {'-'.join(map(str, sizes))}, ReLU, softmax cross-entropy, "
        f"Adam lr={lr}, batch {batch}; {len(X)} train / {len(X_te)} test; "
        f"{repeats} repetitions × {epochs} epochs.\n"
        f"Floor products per epoch: {products}."
    )
    return header + "\n\n" + "\n\n".join(sections)


def case_digits(torch, cfg) -> str:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    return classification_case(
        "digits",
        torch,
        [64, 128, 10],
        X_tr,
        y_tr.astype(np.int64),
        X_te,
        y_te.astype(np.int64),
        batch=64,
        lr=1e-3,
        dtypes=(np.float64, np.float32),
        repeats=cfg.digits_repeats,
        epochs=cfg.digits_epochs,
        acc_epochs=cfg.acc_epochs,
    )


def case_synthetic(torch, cfg) -> str:
    from sklearn.datasets import make_classification
    from sklearn.preprocessing import StandardScaler

    n_test = cfg.synthetic_samples // 7
    start = time.perf_counter()
    X, y = make_classification(
        n_samples=cfg.synthetic_samples,
        n_features=784,
        n_informative=100,
        n_classes=10,
        random_state=0,
    )
    print(f"[synthetic] make_classification took {time.perf_counter() - start:.1f} s", flush=True)
    X_tr, X_te, y_tr, y_te = X[:-n_test], X[-n_test:], y[:-n_test], y[-n_test:]
    scaler = StandardScaler().fit(X_tr)
    X_tr = scaler.transform(X_tr).astype(np.float32)
    X_te = scaler.transform(X_te).astype(np.float32)
    return classification_case(
        "synthetic",
        torch,
        [784, 256, 128, 10],
        X_tr,
        y_tr.astype(np.int64),
        X_te,
        y_te.astype(np.int64),
        batch=128,
        lr=1e-3,
        dtypes=(np.float32,),
        repeats=cfg.synthetic_repeats,
        epochs=cfg.synthetic_epochs,
        acc_epochs=None,
        fused_variant=True,
    )


def case_xor(cfg) -> str:
    sizes = [2, 4, 1]
    runners = [
        Runner("tinynet batch_size=1", "float64", tinynet_xor(1, cfg.xor_lr)),
        Runner("tinynet batch_size=None", "float64", tinynet_xor(None, cfg.xor_lr)),
    ]
    for r, batch in zip(runners[:], (1, None), strict=True):
        floor = matmul_floor(sizes, 4, batch, np.float64)
        runners.append(Runner(f"NumPy @ only ({r.name})", "float64", floor, floor_of=r.name))
    print(f"[xor] {len(runners)} rows", flush=True)
    run_all(runners, cfg.xor_repeats, cfg.xor_epochs, None)
    by_name = {r.name: r for r in runners}
    per_sample = runners[0]

    def base(r: Runner) -> Runner | None:
        return by_name.get(r.floor_of) if r.floor_of else per_sample

    text = report(
        "xor — float64",
        runners,
        ratio_header="batch_size=1 / row (floors: own tinynet / row)",
        ratio_base=base,
        accuracy_header=f"train accuracy, 4 points ({cfg.xor_epochs} epochs)",
    )
    header = (
        f"## Case: xor\n\nnetwork 2-4-1, sigmoid, weight_scale=1.0, MSE, SGD lr={cfg.xor_lr}, "
        f"shuffled; {cfg.xor_repeats} repetitions × {cfg.xor_epochs} epochs. "
        "One epoch = 4 samples: 4 steps with batch_size=1, 1 step with batch_size=None."
    )
    return header + "\n\n" + text


DEFINITIONS = """\
## Definitions

- **s/epoch (median)**: median over repetitions of (wall time of one training call / epochs
  run). One repetition = fresh model, `--epochs` epochs; every row is warmed up once (1 epoch,
  untimed) first. tinynet: `tn.fit(...)`; scikit-learn: `MLPClassifier.fit` / `n_iter_`;
  torch: a DataLoader-free loop (`torch.randperm` + index slicing,
  `zero_grad(set_to_none=True)`). Test-set evaluation is not timed.
- **min–max**: fastest and slowest repetition (s/epoch).
- **tinynet ratio (tinynet / row)**: tinynet's median s/epoch (same requested dtype) divided
  by this row's. > 1 means tinynet is slower. For a floor row it is (its tinynet row / floor).
- **NumPy @ only (floor)**: the same matrix products as one tinynet epoch (shapes, order,
  dtype, allocation of results), and nothing else. Listed under each case header.
- **matmul share** = floor s/epoch / tinynet s/epoch: the part of tinynet's epoch that is
  spent in BLAS products; the rest is element-wise NumPy work, input checks and Python.
- **plain NumPy MLP (reference, no checks)**: the same network, data order and initial
  weights as tinynet, written as one function of plain vectorised NumPy with no input checks
  (`plain_numpy_classifier`). Not part of tinynet: it shows where pure NumPy itself lands
  against the peers on this machine. The line under the table gives reference / peer.
- **dtype**: requested dtype; "→ computes in X" when the library silently computes in X.
- **accuracy**: test accuracy after the stated epochs (synthetic: from the last timed
  repetition; xor: the 4 training points).

Known asymmetries (not corrected, only stated):

- "Floor products per epoch" under each case header says what tinynet's `fit` was seen to
  compute (probed on a throwaway network). If it includes a forward pass over the training
  set (fit's per-epoch accuracy) or the first layer's input gradient `delta @ W.T`, that is
  work scikit-learn and this torch loop do not do; it is in tinynet's time and its floor.
- Each row runs warm-up plus all its repetitions back to back; rows run one after another.
- A warning line "other processes used X CPU cores" is measured from /proc/stat minus this
  process's own CPU time during the row's repetitions; such a row's timing is not reliable.
- Initial weights differ: tinynet uses He normal, scikit-learn Glorot uniform, torch
  Kaiming uniform (its default), so accuracies differ by initialisation too.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma list of %(default)s")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny repeats/epochs")
    parser.add_argument("--repeats", type=int, help="repetitions for every case (default 5/3/5)")
    parser.add_argument("--epochs", type=int, help="timed epochs per repetition for every case")
    parser.add_argument("--acc-epochs", type=int, help="digits: epochs for accuracy (40)")
    parser.add_argument("--synthetic-samples", type=int, help="synthetic: train+test (70000)")
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {unknown}; known: {list(CASES)}")
    args.cases = cases
    quick = args.quick
    args.digits_repeats = args.repeats or (2 if quick else 5)
    args.digits_epochs = args.epochs or (2 if quick else 10)
    args.acc_epochs = args.acc_epochs or (3 if quick else 40)
    args.synthetic_repeats = args.repeats or (2 if quick else 3)
    args.synthetic_epochs = args.epochs or (1 if quick else 2)
    args.synthetic_samples = args.synthetic_samples or (7000 if quick else 70000)
    args.xor_repeats = args.repeats or (2 if quick else 5)
    args.xor_epochs = args.epochs or (100 if quick else 1000)
    args.xor_lr = 0.5
    for name in (
        "digits_repeats",
        "digits_epochs",
        "acc_epochs",
        "synthetic_repeats",
        "synthetic_epochs",
        "xor_repeats",
        "xor_epochs",
    ):
        if getattr(args, name) < 1:
            parser.error(f"{name} must be >= 1")
    if args.synthetic_samples < 14:
        parser.error("--synthetic-samples must be >= 14")
    return args


def main(argv: list[str] | None = None) -> None:
    cfg = parse_args(argv)
    torch, torch_error = _import_torch()
    started = time.perf_counter()
    sections = ["# tinynet vs scikit-learn vs torch: training speed", ""]
    sections.append(f"command: `{' '.join([Path(sys.argv[0]).name, *sys.argv[1:]])}`")
    if cfg.quick:
        sections.append("**--quick run: numbers are a smoke test, not a measurement.**")
    sections += ["", machine_info(torch, torch_error), ""]
    if torch is None:
        print(f"note: torch rows skipped, import torch failed: {torch_error}", flush=True)
    for case in cfg.cases:
        if case == "digits":
            sections.append(case_digits(torch, cfg))
        elif case == "synthetic":
            sections.append(case_synthetic(torch, cfg))
        else:
            sections.append(case_xor(cfg))
        sections.append("")
    sections.append(DEFINITIONS)
    sections.append(f"total wall time: {time.perf_counter() - started:.0f} s")
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        sections.append(f"load average at end (1, 5, 15 min): {load}")
        sections.append(
            "(load averages lag and include this script; the per-row WARNING lines, measured "
            "during each row's repetitions, are the signal that other processes competed)"
        )
    except OSError:
        pass
    print("\n" + "\n".join(sections))


if __name__ == "__main__":
    main()
