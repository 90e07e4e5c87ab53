"""Training speed of chapter 14's small CNN: tinynet against PyTorch's ``nn.Conv2d`` (CPU).

Run from the repository root::

    .venv/bin/python benchmarks/conv.py             # full run, about a minute
    .venv/bin/python benchmarks/conv.py --quick     # smoke run, a few seconds

The case ``conv``: the 8×8 digits with ``compare.py``'s ``digits`` split and standardisation,
reshaped to ``(N, 1, 8, 8)``; the network ``Conv2D(1, 8, 3, padding=1)`` (ReLU) →
``MaxPool2D(2)`` → ``Flatten()`` → ``Layer(128, 10)``, softmax cross-entropy, Adam, float64
and float32. Rows: tinynet's CNN, tinynet's dense 64-128-10 network on the same data (for
comparison), and PyTorch's ``Conv2d`` + ``MaxPool2d`` + ``Linear`` with the same shapes (skipped
with a note when ``import torch`` fails). Timing, the table and the load warning are
``compare.py``'s (``benchmarks/README.md`` defines every column).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import Row, Trained, digits_data, machine, run, table, tn  # noqa: E402

FILTERS, KERNEL, CLASSES = 8, 3, 10


def cnn(dtype) -> tn.NeuralNetwork:
    return tn.NeuralNetwork(
        [
            tn.Conv2D(1, FILTERS, KERNEL, padding=1, rng=0, dtype=dtype),
            tn.MaxPool2D(2),
            tn.Flatten(),
            tn.Layer(FILTERS * 4 * 4, CLASSES, "identity", init="he", rng=0, dtype=dtype),
        ]
    )


def dense(dtype) -> tn.NeuralNetwork:
    return tn.NeuralNetwork([64, 128, CLASSES], "relu", "identity", init="he", rng=0, dtype=dtype)


def flops_per_example() -> dict[str, int]:
    """Multiply-adds × 2 of one forward pass: convolution ``2 C k² F H_o W_o``, dense ``2 n m``."""
    conv = 2 * 1 * KERNEL * KERNEL * FILTERS * 8 * 8
    return {
        "CNN": conv + 2 * FILTERS * 4 * 4 * CLASSES,
        "dense 64-128-10": 2 * (64 * 128 + 128 * CLASSES),
    }


def tinynet_row(name, make, X, y, X_te, y_te, *, batch, lr, dtype) -> Row:
    def train(epochs: int) -> Trained:
        net = make(dtype)
        start = time.perf_counter()
        tn.fit(
            net,
            X,
            y,
            epochs=epochs,
            loss="softmax_cross_entropy",
            batch_size=batch,
            optimizer=tn.Adam(learning_rate=lr),
            rng=0,
            train_accuracy=False,
        )
        seconds = time.perf_counter() - start
        return seconds, epochs, lambda: tn.accuracy(y_te, tn.predict(net, X_te)), net.dtype.name

    return Row(name, train)


def torch_row(torch, X, y, X_te, y_te, *, batch, lr) -> Row:
    nn = torch.nn
    X_t, y_t = torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(y)
    X_te_t = torch.from_numpy(np.ascontiguousarray(X_te))

    def train(epochs: int) -> Trained:
        torch.manual_seed(0)
        dtype = X_t.dtype
        model = nn.Sequential(
            nn.Conv2d(1, FILTERS, KERNEL, padding=1, dtype=dtype),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(FILTERS * 4 * 4, CLASSES, dtype=dtype),
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn, generator = nn.CrossEntropyLoss(), torch.Generator().manual_seed(0)
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

        return seconds, epochs, accuracy, str(dtype).removeprefix("torch.")

    return Row("torch CNN (Conv2d, MaxPool2d, Linear; Adam)", train)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny repeats/epochs")
    parser.add_argument("--repeats", type=int, help="repetitions per row (default 5)")
    parser.add_argument("--epochs", type=int, help="timed epochs per repetition (default 5)")
    parser.add_argument("--acc-epochs", type=int, help="epochs for the accuracy run (20)")
    parser.add_argument("--batch", type=int, default=32, help="batch size (%(default)s)")
    cfg = parser.parse_args(argv)
    repeats = cfg.repeats or (2 if cfg.quick else 5)
    epochs = cfg.epochs or (1 if cfg.quick else 5)
    acc_epochs = cfg.acc_epochs or (2 if cfg.quick else 20)
    if min(repeats, epochs, acc_epochs, cfg.batch) < 1:
        parser.error("--repeats, --epochs, --acc-epochs and --batch must be at least 1")
    try:
        import torch
    except Exception:  # not installed, or a broken binary: the torch row is skipped
        torch = None
    from sklearn.preprocessing import StandardScaler

    started, lr = time.perf_counter(), 1e-3
    X, X_te, y, y_te = digits_data(cfg)
    scaler = StandardScaler().fit(X)
    X, X_te, y, y_te = scaler.transform(X), scaler.transform(X_te), y.astype(int), y_te.astype(int)
    flops = flops_per_example()
    out = ["# tinynet's CNN vs torch: training speed (case `conv`)\n"]
    if cfg.quick:
        out.append("**--quick run: numbers are a smoke test, not a measurement.**\n")
    command = " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])])
    out += [f"command: `{command}`\n", "## Machine\n", machine(torch) + "\n"]
    out.append(
        f"## Case: conv\n\nnetwork Conv2D(1, {FILTERS}, {KERNEL}, padding=1) ReLU → MaxPool2D(2)"
        f" → Flatten → Layer({FILTERS * 16}, {CLASSES}); softmax cross-entropy, Adam lr={lr}, "
        f"batch {cfg.batch}; {len(X)} train / {len(X_te)} test, images (N, 1, 8, 8); "
        f"{repeats} repetitions × {epochs} epochs. Forward FLOPs per example: "
        + ", ".join(f"{name} {count}" for name, count in flops.items())
        + "."
    )
    if torch is None:
        out.append("\n- note: `import torch` failed, so the torch row is skipped")
    for dtype in (np.float64, np.float32):
        images, images_te = (a.astype(dtype).reshape(-1, 1, 8, 8) for a in (X, X_te))
        kw = {"batch": cfg.batch, "lr": lr}
        rows = [
            tinynet_row("tinynet CNN", cnn, images, y, images_te, y_te, **kw, dtype=dtype),
            tinynet_row(
                "tinynet dense 64-128-10",
                dense,
                X.astype(dtype),
                y,
                X_te.astype(dtype),
                y_te,
                **kw,
                dtype=dtype,
            ),
        ]
        if torch is not None:
            rows.append(torch_row(torch, images, y, images_te, y_te, **kw))
        name = f"conv — {np.dtype(dtype).name}"
        print(f"[{name}]", flush=True)
        run(rows, repeats, epochs, acc_epochs)
        accuracy = f"test accuracy ({acc_epochs} epochs)"
        out.append(table(name, rows, lambda r, main=rows[0]: main, accuracy))
    out.append(f"\ntotal wall time: {time.perf_counter() - started:.0f} s")
    print("\n" + "\n\n".join(out))


if __name__ == "__main__":
    main()
