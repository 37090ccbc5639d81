"""Writes the bench's MNIST CNN (the network of examples/mnist-pytorch/train.py) as
model.onnx (dynamic batch) and model.pt (TorchScript), trained for one quick epoch on
the IDX digits given (weights do not change speed; a trained model answers sensibly).

usage: mnist_models.py <out dir> [<idx dir with train-images-idx3-ubyte, train-labels-idx1-ubyte>]
"""
import os, sys, time
import numpy as np
import torch, torch.nn.functional as F

# the network, the IDX reader and the normalisation of the example itself
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "mnist-pytorch"))
from train import MEAN, STD, Net, read_idx  # noqa: E402


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(2)
    net = Net()
    accuracy = None
    if len(sys.argv) > 2:
        t0 = time.time()
        x = torch.from_numpy((read_idx(os.path.join(sys.argv[2], "train-images-idx3-ubyte")).astype(np.float32) / 255.0 - MEAN) / STD)[:, None]
        y = torch.from_numpy(read_idx(os.path.join(sys.argv[2], "train-labels-idx1-ubyte")).astype(np.int64))
        opt = torch.optim.Adam(net.parameters(), lr=2e-3)
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i : i + 64]
            opt.zero_grad()
            F.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            accuracy = (net(x[-1000:]).argmax(1) == y[-1000:]).float().mean().item()
        print(f"trained 1 epoch in {time.time() - t0:.1f} s (accuracy on the last 1000 training digits {accuracy:.3f})", file=sys.stderr)
    net.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(net, dummy, os.path.join(out, "model.onnx"), input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13)
    torch.jit.save(torch.jit.trace(net, dummy), os.path.join(out, "model.pt"))
    print('{"trained": %s}' % ("true" if accuracy is not None else "false"))


main()
