"""pytorch/mnist: a handwritten-digit classifier in TorchScript, as a TI-ONE model service.

Package folder: this file, ``config.json`` (optional: ``mean`` and ``std`` of the
normalisation, default 0.1307 / 0.3081; ``top_k`` candidates per answer, default 1), and
the TorchScript model (``model.pt``, or the only ``.pt`` / ``.pth`` file) taking float
[N,1,28,28] normalised as MNIST and answering logits or log-probabilities [N,10].

Call:   POST /v1/models/m:predict  {"images": ["https://...", "data:image/png;base64,...", "<base64>"]}
Answer: {"predictions": [{"digit": 7, "probability": 0.998}, ...]}
        (with top_k > 1, each prediction also has "candidates": [{"digit", "probability"}, ...])

Photos of digits work: any size, JPEG or PNG, dark-on-light or light-on-dark. Each image
is brought into MNIST's form the way MNIST was made: grey, the digit light on dark,
cropped to its bounding box, scaled so the longer side is 20 px (aspect kept), and
pasted into 28x28 so that its centre of mass is at the centre.
"""
import glob
import json
import logging
import os
from typing import Dict, List

import numpy as np
import torch
from PIL import Image

import tiinfer
from tiinfer import images

MEAN, STD = 0.1307, 0.3081


_LEVELS = np.arange(256, dtype=np.float32)


def mnist_form(img: Image.Image) -> np.ndarray:
    """A PIL image of one digit -> float32 [28,28] in 0..1, light digit on black, MNIST-centred."""
    a = np.asarray(img.convert("L"))
    h, w = a.shape
    edge = max(1, min(h, w) // 20)
    border = np.concatenate([a[:edge].ravel(), a[-edge:].ravel(), a[:, :edge].ravel(), a[:, -edge:].ravel()])
    background = float(np.median(border))
    lo, hi = float(a.min()), float(a.max())
    # the background is the border's level: nearer the bright end means dark ink on light paper
    if background - lo > hi - background:
        level = (background - _LEVELS) / (background - lo) if background > lo else _LEVELS * 0
    else:
        level = (_LEVELS - background) / (hi - background) if hi > background else _LEVELS * 0
    if max(background - lo, hi - background) < 16:  # nothing stands out of the background
        raise ValueError("no digit found (the image is blank)")
    # one lookup table: background removed, stretched to 0..255, paper texture and noise (< 20%) dropped
    lut = np.where(level < 0.2, 0, np.clip(np.rint(level * 255), 0, 255)).astype(np.uint8)
    g = lut[a]
    rows, cols = np.flatnonzero((g > 89).any(axis=1)), np.flatnonzero((g > 89).any(axis=0))  # the digit: above 35%
    if len(rows) == 0:
        raise ValueError("no digit found")
    g = g[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    bh, bw = g.shape
    scale = 20.0 / max(bh, bw)
    nw, nh = max(1, round(bw * scale)), max(1, round(bh * scale))
    small = np.asarray(Image.fromarray(g).resize((nw, nh), Image.LANCZOS, reducing_gap=2.0), dtype=np.float32) / 255.0
    total = small.sum()
    cy, cx = ((np.arange(nh)[:, None] * small).sum() / total, (np.arange(nw)[None, :] * small).sum() / total) if total > 0 else (nh / 2, nw / 2)
    top = int(np.clip(round(14 - cy), 0, 28 - nh))
    left = int(np.clip(round(14 - cx), 0, 28 - nw))
    out = np.zeros((28, 28), dtype=np.float32)
    out[top : top + nh, left : left + nw] = small
    return out


class MnistModel(tiinfer.Model):
    def __init__(self, model_dir: str):
        super().__init__(model_dir)
        self.model_dir = model_dir
        self.model = None
        self.mean, self.std, self.top_k = MEAN, STD, 1

    def read_config(self) -> None:
        path = os.path.join(self.model_dir, "config.json")
        if not os.path.exists(path):
            return
        with open(path) as f:
            cfg = json.load(f)
        self.mean = float(cfg.get("mean", MEAN))
        self.std = float(cfg.get("std", STD))
        self.top_k = max(1, min(10, int(cfg.get("top_k", 1))))
        logging.info("mnist: config.json: mean %s, std %s, top_k %s", self.mean, self.std, self.top_k)

    def load(self) -> bool:
        self.read_config()
        path = os.path.join(self.model_dir, "model.pt")
        if not os.path.exists(path):
            found = sorted(glob.glob(os.path.join(self.model_dir, "*.pt")) + glob.glob(os.path.join(self.model_dir, "*.pth")))
            if len(found) != 1:
                raise FileNotFoundError(f"expected model.pt (or exactly one .pt/.pth file) in the package, found {len(found)}")
            path = found[0]
        model = torch.jit.load(path, map_location="cpu").eval()
        try:  # frozen and optimised for CPU inference: ~2.5x faster for small CNNs
            model = torch.jit.optimize_for_inference(torch.jit.freeze(model))
        except Exception as e:  # noqa: BLE001 (not every scripted model freezes; run it as it is)
            logging.warning("mnist: serving %s unoptimised (%s)", path, e)
        self.model = model
        logging.info("mnist: loaded %s", path)
        self.ready = True
        return self.ready

    def preprocess(self, request: Dict) -> torch.Tensor:
        items = images.image_items(request)
        digits = []
        for i, item in enumerate(items):
            where = f"images[{i}]"
            pic = images.load_image(item, where)
            try:
                digits.append(mnist_form(pic))
            except ValueError as e:
                raise images.ImageError(f"{where}: {e}") from None
        x = torch.from_numpy(np.stack(digits))[:, None]
        return (x - self.mean) / self.std

    def predict(self, data):
        # [N,1,28,28] for one request; a list of those when TI_INFERENCE_MAX_BATCH_SIZE > 1
        batch = data if isinstance(data, list) else [data]
        with torch.no_grad():
            out = self.model(torch.cat(batch))
            # a model ending in log_softmax answers log-probabilities; softmax fits both
            probs = torch.softmax(out, dim=1)
        parts = list(torch.split(probs, [b.shape[0] for b in batch]))
        return parts if isinstance(data, list) else parts[0]

    def postprocess(self, probs: torch.Tensor) -> Dict:
        p, digit = probs.max(dim=1)
        predictions: List[Dict] = [{"digit": int(d), "probability": round(float(v), 6)} for v, d in zip(p.tolist(), digit.tolist())]
        if self.top_k > 1:
            tp, td = probs.topk(self.top_k, dim=1)
            for pred, ps, ds in zip(predictions, tp.tolist(), td.tolist()):
                pred["candidates"] = [{"digit": int(d), "probability": round(float(v), 6)} for v, d in zip(ps, ds)]
        return {"predictions": predictions}
