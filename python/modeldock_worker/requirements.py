"""requirements.txt, checked: each requirement is looked up among what this Python has
installed or can import. The platform plans an install with `plan` before an instance
starts (`python3 -m modeldock_worker.requirements FILE` prints it as JSON) and installs
what is missing into an environment of the version's own; at load, `check` fails with
the list if anything is still missing."""
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
from typing import Dict, Iterator, List, Tuple

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


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.distribution(dist)
        return True
    except Exception:  # noqa: BLE001
        return False


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _lines(path: str) -> Iterator[Tuple[str, str]]:
    """(kind, line) for each meaningful line: "option" (-i, --find-links, …), "other"
    (URLs, paths, -r, -e: nothing to look up) or "requirement"."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("-"):
                yield ("other" if line.split()[0] in INSTALLS else "option"), line
            elif "://" in line or line.startswith((".", "/")) or not _NAME.match(line.split(";", 1)[0]):
                yield "other", line
            else:
                yield "requirement", line


# options that name something to install (the rest only steer pip: -i, --find-links, --pre, …)
INSTALLS = {"-r", "--requirement", "-e", "--editable", "-c", "--constraint"}


def _lookup(line: str) -> Dict[str, object]:
    dist = _NAME.match(line.split(";", 1)[0]).group(1)  # type: ignore[union-attr]
    module = _import_name(dist)
    entry: Dict[str, object] = {"requirement": line, "module": module}
    if _installed(dist) or _available(module):
        entry["version"] = _version(dist, module)
        entry["ok"] = True
    else:
        hint = DEBIAN.get(module)
        if hint:
            entry["hint"] = hint
    return entry


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
    for kind, line in _lines(path):
        if kind != "requirement":
            skipped.append(line)  # options, URLs, local paths: nothing to check
            continue
        entry = _lookup(line)
        (found if entry.pop("ok", False) else missing).append(entry)
    return report


def plan(path: str) -> Dict[str, object]:
    """What an install needs: {"install": lines this Python lacks (and URLs, paths, -r/-e
    lines, which cannot be looked up), "options": pip options to keep with them, "found":
    requirements this Python already has}. Versions of found ones are reported, not
    enforced: a package pinning torch==1.9.0 runs on the runtime's torch, as at load."""
    out: Dict[str, List[object]] = {"install": [], "options": [], "found": []}
    for kind, line in _lines(path):
        if kind == "option":
            out["options"].append(line)
        elif kind == "other":
            out["install"].append(line)
        else:
            entry = _lookup(line)
            if entry.pop("ok", False):
                out["found"].append(entry)
            else:
                out["install"].append(line)
    return out


def missing_message(report: Dict[str, object]) -> str:
    parts = []
    for m in report["missing"]:  # type: ignore[union-attr]
        hint = f", Debian package {m['hint']}" if m.get("hint") else ""
        parts.append(f"{m['requirement']} (import {m['module']}{hint})")
    return (
        "requirements.txt lists modules this Python cannot import: "
        + "; ".join(parts)
        + ". The platform installs requirements.txt before an instance starts: was this Python started outside it?"
    )


if __name__ == "__main__":
    print(json.dumps(plan(sys.argv[1])))
