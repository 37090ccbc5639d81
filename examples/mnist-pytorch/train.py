"""Train a small CNN on the built-in `mnist` dataset; write a TorchScript model and metrics.

Run as a modeldock training task (runtime torch1.13-py311-cpu, command `python train.py`,
input channel `mnist` = datasets/mnist/). It reads the dataset from $MODELDOCK_INPUT_MNIST,
trains on the training split only, measures accuracy on the held-out split, and writes
into $MODELDOCK_OUTPUT_DIR:

  model.pt      TorchScript, float [N,1,28,28] normalised (x/255 - 0.1307) / 0.3081 -> logits [N,10]
  metrics.json  {"accuracy": …, "heldout": …, "train": …, "epochs": …, "seconds": …}

Both are what templates/pytorch/mnist serves. About 15 s on 2 CPU cores.
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.1307, 0.3081


def read_idx(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(folder: str, part: str):
    x = read_idx(os.path.join(folder, f"{part}-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(folder, f"{part}-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy((x - MEAN) / STD)[:, None], torch.from_numpy(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.f1 = nn.Linear(32 * 7 * 7, 64)
        self.f2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f2(F.relu(self.f1(x.flatten(1))))


def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return (net(x).argmax(1) == y).float().mean().item()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=int(os.environ.get("EPOCHS", "4")))
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=os.environ.get("MODELDOCK_INPUT_MNIST", "data"))
    p.add_argument("--out", default=os.environ.get("MODELDOCK_OUTPUT_DIR", "output"))
    args = p.parse_args()

    t0 = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(int(os.environ.get("MODELDOCK_CPU_THREADS", "2")))
    train_x, train_y = load(args.data, "train")
    held_x, held_y = load(args.data, "heldout")
    print(f"training on {len(train_x)} digits, holding out {len(held_x)}", flush=True)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        net.train()
        perm = torch.randperm(len(train_x))
        total = 0.0
        for i in range(0, len(train_x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            opt.zero_grad()
            loss = F.cross_entropy(net(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        net.eval()
        print(f"epoch {epoch}/{args.epochs}: loss {total / len(train_x):.4f}, held-out accuracy {accuracy(net, held_x, held_y):.4f}", flush=True)

    acc = accuracy(net, held_x, held_y)
    os.makedirs(args.out, exist_ok=True)
    torch.jit.script(net).save(os.path.join(args.out, "model.pt"))
    metrics = {"accuracy": round(acc, 4), "heldout": len(held_x), "train": len(train_x), "epochs": args.epochs, "seconds": round(time.time() - t0, 1)}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f)
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
