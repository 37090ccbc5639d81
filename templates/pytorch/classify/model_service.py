"""pytorch/classify: an ImageNet classifier in TorchScript, as a TI-ONE model service.

Package folder:
    model_service.py   this file
    model.pt           a TorchScript classifier: float [N,3,224,224] -> logits [N,classes]
    labels.txt         one class per line, line i is class i ("n01440764 tench, ..." is fine)
    config.json        optional, see DEFAULTS

Call:  POST /v1/models/m:predict  {"images": ["https://...", "data:image/jpeg;base64,...", "<base64>"]}
Answer: {"predictions": [{"index", "label", "probability", "top_k": [{"index", "label", "probability"}, ...]}, ...]}
"""
import json
import logging
import os
import re
from typing import Dict, List

import torch
from torchvision import transforms

import tiinfer
from tiinfer import images

DEFAULTS = {
    "model": "model.pt",
    "labels": "labels.txt",
    "top_k": 5,
    "resize": 256,
    "crop": 224,
    "mean": [0.485, 0.456, 0.406],
    "std": [0.229, 0.224, 0.225],
    # quantized models: the engine they were quantized for ("qnnpack"), if this torch has it
    "quantized_engine": "qnnpack",
    # the most images the model takes in one call: traced models often fix a batch of 1
    # (the quantized MobileNetV2 reshapes to [1, -1]); raise it for a dynamic batch
    "model_batch": 1,
}


class ClassifyModel(tiinfer.Model):
    def __init__(self, model_dir: str):
        super().__init__(model_dir)
        self.model_dir = model_dir
        self.config = dict(DEFAULTS)
        config_file = os.path.join(model_dir, "config.json")
        if os.path.exists(config_file):
            with open(config_file, encoding="utf-8") as f:
                self.config.update(json.load(f))
        self.model = None
        self.labels: List[str] = []
        self.transform = transforms.Compose(
            [
                transforms.Resize(self.config["resize"]),
                transforms.CenterCrop(self.config["crop"]),
                transforms.ToTensor(),
                transforms.Normalize(mean=self.config["mean"], std=self.config["std"]),
            ]
        )

    def load(self) -> bool:
        engine = self.config.get("quantized_engine")
        if engine and engine in torch.backends.quantized.supported_engines:
            torch.backends.quantized.engine = engine
        model_file = os.path.join(self.model_dir, self.config["model"])
        if not os.path.exists(model_file):
            raise FileNotFoundError(f"{self.config['model']} is missing: add your TorchScript classifier to the package (see README.md)")
        self.model = torch.jit.load(model_file, map_location="cpu").eval()
        labels_file = os.path.join(self.model_dir, self.config["labels"])
        if os.path.exists(labels_file):
            with open(labels_file, encoding="utf-8") as f:
                self.labels = [re.sub(r"^n\d{8}\s+", "", line.strip()) for line in f if line.strip()]
        logging.info("classify: loaded %s (%d labels, quantized engine %s)", model_file, len(self.labels), torch.backends.quantized.engine)
        self.ready = True
        return self.ready

    def preprocess(self, request: Dict) -> torch.Tensor:
        pictures = images.load_images(request, mode="RGB")
        return torch.stack([self.transform(p) for p in pictures])

    def predict(self, data):
        # one request's images as [N,3,H,W]; a list of those when TI_INFERENCE_MAX_BATCH_SIZE > 1
        batch = data if isinstance(data, list) else [data]
        x = torch.cat(batch)
        step = max(1, int(self.config["model_batch"]))
        with torch.no_grad():
            logits = torch.cat([self.model(x[i : i + step]) for i in range(0, x.shape[0], step)])
            probs = torch.softmax(logits, dim=1)
        parts = list(torch.split(probs, [b.shape[0] for b in batch]))
        return parts if isinstance(data, list) else parts[0]

    def postprocess(self, probs: torch.Tensor) -> Dict:
        k = min(int(self.config["top_k"]), probs.shape[1])
        values, indices = torch.topk(probs, k, dim=1)
        predictions = []
        for vals, idxs in zip(values.tolist(), indices.tolist()):
            top = [{"index": i, "label": self.label(i), "probability": round(v, 6)} for v, i in zip(vals, idxs)]
            predictions.append({**top[0], "top_k": top})
        return {"predictions": predictions}

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else str(index)
