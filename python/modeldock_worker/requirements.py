"""requirements.txt, checked (there is no pip here): each requirement is looked up among
what this Python can import. Missing ones fail the load with the list."""
import importlib.metadata
import importlib.util
import os
import re
from typing import Dict, List

# pip distribution name (lower case, '-' and '_' alike) -> import name
IMPORT_NAMES: Dict[str, str] = {
    "pillow": "PIL",
    "pil": "PIL",
    "opencv-python": "cv2",
    "opencv-python-headless": "cv2",
    "opencv-contrib-python": "cv2",
    "opencv-contrib-python-headless": "cv2",
    "scikit-learn": "sklearn",
    "sklearn": "sklearn",
    "scikit-image": "skimage",
    "pyyaml": "yaml",
    "beautifulsoup4": "bs4",
    "python-dateutil": "dateutil",
    "protobuf": "google.protobuf",
    "msgpack-python": "msgpack",
    "attrs": "attr",
    "typing-extensions": "typing_extensions",
    "tencent-tiinfer": "tiinfer",
    "tiinfer": "tiinfer",
    "mosec": "mosec",
    "pytorch": "torch",
    "torch-cpu": "torch",
    "faiss-cpu": "faiss",
    "tensorflow-cpu": "tensorflow",
    "python-multipart": "multipart",
    "pyjwt": "jwt",
    "pycryptodome": "Crypto",
    "onnxruntime-gpu": "onnxruntime",
}

# Debian package hints for the common ones
DEBIAN = {"PIL": "python3-pil", "cv2": "python3-opencv", "sklearn": "python3-sklearn", "yaml": "python3-yaml", "scipy": "python3-scipy", "pandas": "python3-pandas"}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _import_name(dist: str) -> str:
    key = dist.lower().replace("_", "-").replace(".", "-")
    return IMPORT_NAMES.get(key, dist.replace("-", "_"))


def _version(dist: str, module: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except Exception:  # noqa: BLE001
        pass
    try:
        return str(getattr(importlib.import_module(module), "__version__", "?"))
    except Exception:  # noqa: BLE001
        return "?"


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check(model_dir: str) -> Dict[str, object]:
    """Answers {"file", "found": [{requirement, module, version}], "missing": [...], "skipped": [...]}."""
    path = os.path.join(model_dir, "requirements.txt")
    report: Dict[str, object] = {"file": None, "found": [], "missing": [], "skipped": []}
    if not os.path.isfile(path):
        return report
    report["file"] = "requirements.txt"
    found: List[dict] = report["found"]  # type: ignore[assignment]
    missing: List[dict] = report["missing"]  # type: ignore[assignment]
    skipped: List[str] = report["skipped"]  # type: ignore[assignment]
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("-") or "://" in line or line.startswith((".", "/")):
                skipped.append(line)  # options, URLs, local paths: nothing to check
                continue
            m = _NAME.match(line.split(";", 1)[0])
            if not m:
                skipped.append(line)
                continue
            dist = m.group(1)
            module = _import_name(dist)
            entry = {"requirement": line, "module": module}
            if _available(module):
                entry["version"] = _version(dist, module)
                found.append(entry)
            else:
                hint = DEBIAN.get(module)
                if hint:
                    entry["hint"] = hint
                missing.append(entry)
    return report


def missing_message(report: Dict[str, object]) -> str:
    parts = []
    for m in report["missing"]:  # type: ignore[union-attr]
        hint = f", Debian package {m['hint']}" if m.get("hint") else ""
        parts.append(f"{m['requirement']} (import {m['module']}{hint})")
    return (
        "requirements.txt lists modules this Python cannot import: "
        + "; ".join(parts)
        + ". There is no pip here: install them as Debian packages on the host, or put pure-Python modules in the package folder."
    )
