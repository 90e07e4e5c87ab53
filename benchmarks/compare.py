"""Training speed, side by side: tinynet, a plain NumPy MLP, scikit-learn and PyTorch (CPU).

Run from the repository root::

    .venv/bin/python benchmarks/compare.py                 # full run
    .venv/bin/python benchmarks/compare.py --quick         # smoke run, a few seconds
    .venv/bin/python benchmarks/compare.py --cases digits,xor

Every library trains the same network on the same data with the same optimiser settings. One
repetition is a fresh model trained for a few epochs; a row reports the median over its
repetitions of (wall time / epochs). A row runs its warm-up and all its repetitions back to back:
interleaving libraries lets one library's idle, spinning thread pool slow the next one down.

Rows (``benchmarks/README.md`` defines every column):

- ``tinynet``: ``tinynet.fit``.
- ``plain NumPy``: the same network, initial weights and data order as one function of plain
  vectorised NumPy with no checks, the ceiling of pure NumPy on this machine (not tinynet).
- ``NumPy @ only (floor)``: exactly the matrix products of one tinynet epoch and nothing else.
- ``scikit-learn``, ``torch``: the peers; torch is optional and skipped cleanly without it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's tinynet
import tinynet as tn  # noqa: E402

CASES = ("digits", "synthetic", "xor")
PLAIN = "plain NumPy (reference, no checks)"
FLOOR = "NumPy @ only (floor)"
# One training run: (seconds, epochs run, test accuracy or None, dtype actually computed in).
Trained = tuple[float, int, Callable[[], float] | None, str]


@dataclass
class Row:
    """One row of a table: something that trains for ``epochs`` and is timed."""

    name: str
    train: Callable[[int], Trained]
    times: list[float] = field(default_factory=list)
    dtype: str = ""
    accuracy: float | None = None
    error: str = ""
    busy: float = 0.0  # CPU cores used by other processes during the repetitions

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def cpu_ticks() -> tuple[float, int, int]:
    """(wall, busy jiffies of the machine, jiffies of this process), from Linux's /proc."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _, _, irq, softirq, steal = map(int, fields)
    own = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    busy = user + nice + system + irq + softirq + steal
    return time.perf_counter(), busy, int(own[11]) + int(own[12])


def machine(torch) -> str:
    import sklearn
    from threadpoolctl import threadpool_info

    models = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    cpu = models[0] if models else platform.processor()
    pools = "; ".join(
        f"{p['internal_api']} {p['version']} {p['num_threads']} threads" for p in threadpool_info()
    )
    versions = f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, " + (
        f"torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else "no torch"
    )
    return (
        f"- CPU: {cpu}, {len(os.sched_getaffinity(0))} usable cores; "
        f"{platform.platform()}, Python {platform.python_version()}\n- {versions}\n"
        f"- thread pools: {pools}\n- load average at start: {os.getloadavg()[0]:.2f}"
    )


def tinynet_row(sizes, X, y, X_te, y_te, *, batch, lr, dtype) -> Row:
    net_options = {"activation": "relu", "output_activation": "identity", "init": "he"}
    # train_accuracy=False: the peers do not evaluate the training set every epoch either
    fit_options = {"loss": "softmax_cross_entropy", "batch_size": batch, "train_accuracy": False}

    def train(epochs: int) -> Trained:
        net = tn.NeuralNetwork(sizes, rng=0, dtype=dtype, **net_options)
        start = time.perf_counter()
        tn.fit(net, X, y, epochs=epochs, optimizer=tn.Adam(learning_rate=lr), rng=0, **fit_options)
        seconds = time.perf_counter() - start
        return seconds, epochs, lambda: tn.accuracy(y_te, tn.predict(net, X_te)), net.dtype.name

    return Row("tinynet", train)


def plain_row(sizes, X, y, X_te, y_te, *, batch, lr, dtype) -> Row:
    """ReLU MLP, softmax cross-entropy, Adam, written as a careful NumPy programmer would:
    gradients into preallocated arrays, Adam in place with its bias corrections folded into
    two scalars, one permutation per epoch, the loss of every batch computed (as the peers do).
    It starts from tinynet's initial weights."""
    b1, b2, eps, depth = 0.9, 0.999, 1e-8, len(sizes) - 1

    def train(epochs: int) -> Trained:
        start_net = tn.NeuralNetwork(sizes, rng=0, dtype=dtype, activation="relu", init="he")
        Ws = [layer.W.copy() for layer in start_net.layers]
        params = Ws + [layer.b.copy() for layer in start_net.layers]
        grads, ms, vs, work = ([np.zeros_like(p) for p in params] for _ in range(4))
        rng, step, loss_sum = np.random.default_rng(0), 0, 0.0
        start = time.perf_counter()
        for _ in range(epochs):
            order = rng.permutation(len(X))
            X_epoch, y_epoch = X[order], y[order]
            for first in range(0, len(X), batch):
                xb, yb = X_epoch[first : first + batch], y_epoch[first : first + batch]
                rows, acts = np.arange(len(xb)), [xb]
                for i in range(depth):
                    z = acts[-1] @ Ws[i]
                    z += params[depth + i]
                    if i < depth - 1:
                        np.maximum(z, 0, out=z)
                    acts.append(z)
                z -= z.max(axis=1, keepdims=True)
                picked = z[rows, yb].copy()
                np.exp(z, out=z)
                total = z.sum(axis=1, keepdims=True)
                loss_sum += float(np.log(total).sum() - picked.sum())
                z /= total * len(xb)
                z[rows, yb] -= 1 / len(xb)
                delta = z
                for i in range(depth - 1, -1, -1):
                    np.matmul(acts[i].T, delta, out=grads[i])
                    np.sum(delta, axis=0, out=grads[depth + i])
                    if i > 0:
                        delta = delta @ Ws[i].T
                        delta *= acts[i] > 0
                step += 1
                root = math.sqrt(1 - b2**step)
                rate, eps_t = lr * root / (1 - b1**step), eps * root
                for p, g, m, v, w in zip(params, grads, ms, vs, work, strict=True):
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
            a = X_te
            for i in range(depth):
                a = a @ Ws[i] + params[depth + i]
                a = np.maximum(a, 0) if i < depth - 1 else a
            return float(np.mean(a.argmax(axis=1) == y_te))

        return seconds, epochs, accuracy, Ws[0].dtype.name

    return Row(PLAIN, train)


def floor_row(sizes, n_samples, batch, dtype, name=FLOOR) -> Row:
    """Only the ``@`` products of one tinynet epoch, same shapes, order and dtype: per batch,
    forward ``A @ W`` for every layer, backward ``A.T @ D`` (dW) for every layer and ``D @ W.T``
    for every layer but the first (``fit`` skips the gradient with respect to the data)."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal(s).astype(dtype) for s in zip(sizes[:-1], sizes[1:], strict=True)]

    def operands(rows):
        acts = [rng.standard_normal((rows, n)).astype(dtype) for n in sizes[:-1]]
        return acts, [rng.standard_normal((rows, n)).astype(dtype) for n in sizes[1:]]

    size = batch or n_samples
    full, rest = divmod(n_samples, size)
    groups = [(full, operands(size))] + ([(1, operands(rest))] if rest else [])

    def train(epochs: int) -> Trained:
        start = time.perf_counter()
        for _ in range(epochs):
            for count, (acts, deltas) in groups:
                for _ in range(count):
                    for a, w in zip(acts, Ws, strict=True):
                        a @ w
                    for i in range(len(Ws) - 1, -1, -1):
                        acts[i].T @ deltas[i]
                        if i > 0:
                            deltas[i] @ Ws[i].T
        return time.perf_counter() - start, epochs, None, np.dtype(dtype).name

    return Row(name, train)


SKLEARN = {"solver": "adam", "alpha": 0.0, "tol": 0.0, "random_state": 0}  # no L2, no early stop


def sklearn_row(sizes, X, y, X_te, y_te, *, batch, lr) -> Row:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def train(epochs: int) -> Trained:
        budget = {"max_iter": epochs, "n_iter_no_change": epochs + 1}  # exactly `epochs`
        hidden, options = tuple(sizes[1:-1]), {"batch_size": batch, "learning_rate_init": lr}
        clf = MLPClassifier(hidden, **options, **budget, **SKLEARN)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            clf.fit(X, y)
            seconds = time.perf_counter() - start
        return seconds, clf.n_iter_, lambda: clf.score(X_te, y_te), clf.coefs_[0].dtype.name

    return Row("scikit-learn MLPClassifier", train)


def torch_row(torch, sizes, X, y, X_te, y_te, *, batch, lr, fused=False) -> Row:
    X_t, y_t = torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(y)
    X_te_t = torch.from_numpy(np.ascontiguousarray(X_te))

    def train(epochs: int) -> Trained:
        torch.manual_seed(0)
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [torch.nn.Linear(a, b, dtype=X_t.dtype), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        extra = {"fused": True} if fused else {}
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, **extra)
        loss_fn, generator = torch.nn.CrossEntropyLoss(), torch.Generator().manual_seed(0)
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(len(X_t), generator=generator)
            for first in range(0, len(X_t), batch):
                index = order[first : first + batch]
                optimizer.zero_grad(set_to_none=True)
                loss_fn(model(X_t[index]), y_t[index]).backward()
                optimizer.step()
        seconds = time.perf_counter() - start

        def accuracy() -> float:
            with torch.no_grad():
                return float(np.mean(model(X_te_t).argmax(dim=1).numpy() == y_te))

        return seconds, epochs, accuracy, str(X_t.dtype).removeprefix("torch.")

    return Row(f"torch (Adam{' fused=True' if fused else ' default'})", train)


def xor_row(batch, lr) -> Row:
    X, T = tn.xor()
    options = {"loss": "mse", "optimizer": "sgd", "learning_rate": lr, "batch_size": batch}

    def train(epochs: int) -> Trained:
        net = tn.NeuralNetwork([2, 4, 1], rng=0, weight_scale=1.0)
        start = time.perf_counter()
        tn.fit(net, X, T, epochs=epochs, rng=0, **options)
        seconds = time.perf_counter() - start
        return seconds, epochs, lambda: tn.accuracy(T[:, 0], tn.predict(net, X)), "float64"

    return Row(f"tinynet batch_size={batch}", train)


def run(rows: list[Row], repeats: int, epochs: int, acc_epochs: int | None) -> None:
    """Per row: one untimed warm-up epoch, ``repeats`` timed runs, then the accuracy."""
    for row in rows:
        try:
            row.dtype = row.train(1)[3]
        except Exception as error:  # a peer that cannot run here is reported, not fatal
            row.error = f"{type(error).__name__}: {error}".replace("\n", " ")[:160]
            continue
        before = cpu_ticks()
        for _ in range(repeats):
            seconds, done, accuracy, _ = row.train(epochs)
            row.times.append(seconds / done)
        after = cpu_ticks()
        foreign = (after[1] - before[1]) - (after[2] - before[2])
        row.busy = foreign / os.sysconf("SC_CLK_TCK") / max(after[0] - before[0], 1e-9)
        if accuracy is not None:
            if acc_epochs and acc_epochs != epochs:
                accuracy = row.train(acc_epochs)[2]
            row.accuracy = float(accuracy())
        print(f"  {row.name} ({row.dtype}): {row.median:.4g} s/epoch", flush=True)


def table(title: str, rows: list[Row], base: Callable[[Row], Row], accuracy: str) -> str:
    lines = [
        f"### {title}",
        "",
        f"| library | dtype | s/epoch (median) | min–max | tinynet / row | {accuracy} |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.error:
            lines.append(f"| {r.name} | — | failed | — | — | {r.error} |")
            continue
        acc = "—" if r.accuracy is None else f"{100 * r.accuracy:.2f}%"
        lines.append(
            f"| {r.name} | {r.dtype} | {r.median:.4g} | {min(r.times):.4g}–"
            f"{max(r.times):.4g} | {base(r).median / r.median:.2f} | {acc} |"
        )
    timed = {r.name: r for r in rows if r.times}
    if "tinynet" in timed and FLOOR in timed:
        share = timed[FLOOR].median / timed["tinynet"].median
        lines.append(f"\n- matmul share of tinynet's epoch: {100 * share:.1f}%")
    if PLAIN in timed:
        peers = [r for r in timed.values() if r.name.startswith(("scikit", "torch"))]
        against = ", ".join(f"{r.name} {timed[PLAIN].median / r.median:.2f}" for r in peers)
        ratio = timed["tinynet"].median / timed[PLAIN].median
        lines.append(f"- tinynet / plain NumPy: {ratio:.2f}; plain NumPy / peer: {against or '—'}")
    for r in (r for r in rows if r.busy > 0.15):
        lines.append(f"- WARNING: other processes used {r.busy:.2f} cores during `{r.name}`")
    return "\n".join(lines)


# Case: network sizes, batch size, dtypes, and whether torch's fused Adam gets a row too.
SETTINGS = {
    "digits": ([64, 128, 10], 64, (np.float64, np.float32), False),
    "synthetic": ([784, 256, 128, 10], 128, (np.float32,), True),
}


def digits_data(cfg):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


def synthetic_data(cfg):
    from sklearn.datasets import make_classification

    shape = {"n_features": 784, "n_informative": 100, "n_classes": 10}
    X, y = make_classification(n_samples=cfg.samples, random_state=0, **shape)
    n_test = cfg.samples // 7
    return X[:-n_test], X[-n_test:], y[:-n_test], y[-n_test:]


def classification(title, torch, cfg, lr=1e-3) -> str:
    from sklearn.preprocessing import StandardScaler

    sizes, batch, dtypes, fused = SETTINGS[title]
    X, X_te, y, y_te = (digits_data if title == "digits" else synthetic_data)(cfg)
    scaler = StandardScaler().fit(X)
    X, X_te, y, y_te = scaler.transform(X), scaler.transform(X_te), y.astype(int), y_te.astype(int)
    epochs = cfg.epochs[title]
    acc_epochs = cfg.acc_epochs if title == "digits" else epochs
    out = [
        f"## Case: {title}\n\nnetwork {'-'.join(map(str, sizes))}, ReLU, softmax "
        f"cross-entropy, Adam lr={lr}, batch {batch}; {len(X)} train / {len(X_te)} test; "
        f"{cfg.repeats[title]} repetitions × {epochs} epochs."
    ]
    for dtype in dtypes:
        args, kw = (sizes, X.astype(dtype), y, X_te.astype(dtype), y_te), {"batch": batch, "lr": lr}
        rows = [tinynet_row(*args, **kw, dtype=dtype), floor_row(sizes, len(X), batch, dtype)]
        rows += [plain_row(*args, **kw, dtype=dtype), sklearn_row(*args, **kw)]
        if torch is not None:
            rows += [torch_row(torch, *args, **kw, fused=f) for f in (False, True)[: 1 + fused]]
        name = f"{title} — {np.dtype(dtype).name}"
        print(f"[{name}]", flush=True)
        run(rows, cfg.repeats[title], epochs, acc_epochs)
        out.append(
            table(name, rows, lambda r, main=rows[0]: main, f"test accuracy ({acc_epochs} epochs)")
        )
    return "\n\n".join(out)


def case_xor(title, torch, cfg) -> str:
    lr, epochs = 0.5, cfg.epochs["xor"]
    rows = [xor_row(batch, lr) for batch in (1, None)]
    rows += [
        floor_row([2, 4, 1], 4, b, np.float64, f"NumPy @ only ({r.name})")
        for b, r in zip((1, None), rows, strict=True)
    ]
    print("[xor]", flush=True)
    run(rows, cfg.repeats[title], epochs, None)
    # A floor row is compared with its own tinynet row, the batch-size-None row with the first.
    owner = {r.name: rows[i % 2] if i >= 2 else rows[0] for i, r in enumerate(rows)}
    text = table(
        "xor — float64", rows, lambda r: owner[r.name], f"train accuracy ({epochs} epochs)"
    )
    return (
        f"## Case: xor\n\nnetwork 2-4-1, sigmoid, weight_scale=1.0, MSE, SGD lr={lr}; "
        f"{cfg.repeats[title]} repetitions × {epochs} epochs (an epoch is 4 samples: 4 steps "
        f"with batch_size=1, 1 step with batch_size=None).\n\n{text}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma list of %(default)s")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny repeats/epochs")
    parser.add_argument("--repeats", type=int, help="repetitions per row (default 5/3/5)")
    parser.add_argument("--epochs", type=int, help="timed epochs per repetition (10/2/1000)")
    parser.add_argument("--acc-epochs", type=int, help="digits: epochs for accuracy (40)")
    parser.add_argument("--synthetic-samples", type=int, dest="samples", help="(70000)")
    cfg = parser.parse_args(argv)
    cfg.cases = [c.strip() for c in cfg.cases.split(",") if c.strip()]
    if set(cfg.cases) - set(CASES) or min(cfg.repeats or 1, cfg.epochs or 1) < 1:
        parser.error(f"cases must be among {CASES}; --repeats and --epochs at least 1")
    repeats, epochs = ((2, 2, 2), (2, 1, 100)) if cfg.quick else ((5, 3, 5), (10, 2, 1000))
    cfg.repeats = {c: cfg.repeats or r for c, r in zip(CASES, repeats, strict=True)}
    cfg.epochs = {c: cfg.epochs or e for c, e in zip(CASES, epochs, strict=True)}
    cfg.acc_epochs = cfg.acc_epochs or (3 if cfg.quick else 40)
    cfg.samples = max(cfg.samples or (7000 if cfg.quick else 70000), 14)
    return cfg


def main(argv: list[str] | None = None) -> None:
    cfg = parse_args(argv)
    try:
        import torch
    except Exception:  # not installed, or a broken binary: the torch rows are skipped
        torch = None
    started = time.perf_counter()
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    out = ["# tinynet vs plain NumPy vs scikit-learn vs torch: training speed\n"]
    if cfg.quick:
        out.append("**--quick run: numbers are a smoke test, not a measurement.**\n")
    out += [f"command: `{command}`\n", "## Machine\n", machine(torch) + "\n"]
    for name in cfg.cases:
        out.append((case_xor if name == "xor" else classification)(name, torch, cfg) + "\n")
    out.append(f"total wall time: {time.perf_counter() - started:.0f} s")
    print("\n" + "\n".join(out))


if __name__ == "__main__":
    main()
